import type { SiteSpec } from '@dais/shared';
import { ERROR_PAGES, errorPageLocation, nginxValue, renderMainConfig, renderMapEntries, type ConfigFiles } from '@dais/nginx';

/** Everything the orchestrator's nginx config is made from. */
export interface SitesConfigInput {
  prefix: string;
  generation: number;
  statusPort: number;
  listen: { host: string; port: number };
  /**
   * The folder holding every site folder. nginx checks symbolic links on every path component
   * after it, so a site cannot swap its own `public` for a link to anything it does not own.
   */
  sitesRoot: string;
  /** Returns the folder nginx serves for a static site. */
  publicDirOf(siteId: number): string;
  /** Observed `ip:port` of each dynamic site's running containers (absent or empty: not running). */
  endpointsOf(siteId: number): readonly string[];
  sites: Iterable<SiteSpec>;
}

/**
 * How nginx treats a hostname: serve files, forward to containers, or answer with a page saying
 * the site is not served (503) or not running (502).
 */
export type SiteKind = 'static' | 'dynamic' | 'unavailable' | 'down';

/** What one site contributes to the maps. */
interface SiteRoute {
  kind: SiteKind;
  root?: string;
  upstream?: string;
  upstreamBlock?: string;
}

/**
 * Renders the orchestrator tier: every site's hostnames are map entries (kind, folder, upstream),
 * so 10,000 sites cost a few map lookups, not 10,000 server blocks. Only sites with their own
 * directives (a body limit, an admin snippet) get a server block of their own.
 */
export function renderSitesConfig(input: SitesConfigInput): ConfigFiles {
  const kinds: [string, string][] = [];
  const roots: [string, string][] = [];
  const upstreams: [string, string][] = [];
  const upstreamBlocks: string[] = [];
  const ownServers: string[] = [];
  const ownServerNames: string[] = [];
  const listen = nginxValue.listen(input.listen.host, input.listen.port);
  for (const site of input.sites) {
    const route = routeOf(site, input);
    if (route.upstreamBlock) upstreamBlocks.push(route.upstreamBlock);
    for (const hostname of site.hostnames) {
      const host = nginxValue.hostname(hostname);
      kinds.push([host, route.kind]);
      if (route.root) roots.push([host, route.root]);
      if (route.upstream) upstreams.push([host, route.upstream]);
    }
    if (site.nginx.clientMaxBodyMb !== undefined || site.nginx.snippet !== undefined) {
      ownServers.push(renderOwnServer(site, listen, input.sitesRoot));
      ownServerNames.push(...site.hostnames);
    }
  }
  const http = `    map $host $dais_site_kind {
        hostnames;
        default "";
        include site-kinds.map;
    }

    # Only static sites have a root. Any other host gets a folder that never exists, never "" (which
    # nginx would read as its own prefix, with the instance's config and logs): files can then be
    # served only from a static site's public/, whatever a snippet's location does.
    map $host $dais_site_root {
        hostnames;
        default "${nginxValue.path(`${input.prefix}/no-site-root`)}";
        include site-roots.map;
    }

    map $host $dais_site_upstream {
        hostnames;
        default "";
        include site-upstreams.map;
    }

    map $http_upgrade $dais_connection {
        default upgrade;
        "" "";
    }

    # The router sets X-Real-IP to the visitor at the edge (and replaces anything the visitor sent);
    # only routers reach this port, so the visitor's address is passed on, not the router's.
    map $http_x_real_ip $dais_real_ip {
        "" $remote_addr;
        default $http_x_real_ip;
    }

    include site-upstream-groups.conf;

    server {
        listen ${listen} default_server;
        server_name _;
${siteServerBody(input.sitesRoot)}
    }
${ownServers.join('')}`;
  return {
    'nginx.conf': renderMainConfig({
      prefix: input.prefix,
      generation: input.generation,
      statusPort: input.statusPort,
      http,
      mapKeys: kinds.map(([host]) => host),
      serverNames: ownServerNames,
    }),
    'site-kinds.map': renderMapEntries(kinds),
    'site-roots.map': renderMapEntries(roots),
    'site-upstreams.map': renderMapEntries(upstreams),
    'site-upstream-groups.conf': upstreamBlocks.length ? `${upstreamBlocks.join('\n')}\n` : '# no sites with several containers\n',
  };
}

function routeOf(site: SiteSpec, input: SitesConfigInput): SiteRoute {
  if (site.availability !== 'enabled' || site.runtime?.stopped) return { kind: 'unavailable' };
  if (site.type === 'static') return { kind: 'static', root: nginxValue.path(input.publicDirOf(site.id)) };
  const endpoints = input.endpointsOf(site.id).map((endpoint) => nginxValue.address(endpoint));
  const [first, ...others] = endpoints;
  if (!first) return { kind: 'down' };
  if (others.length === 0) return { kind: 'dynamic', upstream: first };
  // Several containers (Swarm tasks): an upstream group, which proxy_pass finds by name.
  const group = `dais_site_${nginxValue.integer(site.id)}`;
  const servers = endpoints.map((endpoint) => `        server ${endpoint} max_fails=1 fail_timeout=5s;`).join('\n');
  return { kind: 'dynamic', upstream: group, upstreamBlock: `    upstream ${group} {\n${servers}\n    }` };
}

/** A site with its own directives: the same routing, its hostnames as server_name. */
function renderOwnServer(site: SiteSpec, listen: string, sitesRoot: string): string {
  const directives: string[] = [];
  if (site.nginx.clientMaxBodyMb !== undefined)
    directives.push(`        client_max_body_size ${nginxValue.integer(site.nginx.clientMaxBodyMb)}m;`);
  if (site.nginx.snippet !== undefined) {
    directives.push(`        # admin snippet for site ${nginxValue.integer(site.id)}`);
    directives.push(...nginxValue.snippet(site.nginx.snippet).map((line) => `        ${line}`));
  }
  return `
    server {
        listen ${listen};
        server_name ${site.hostnames.map((hostname) => nginxValue.hostname(hostname)).join(' ')};
${directives.join('\n')}
${siteServerBody(sitesRoot)}
    }
`;
}

/** How any site's requests are answered, driven by the maps above. */
const siteServerBody = (sitesRoot: string): string => `        root $dais_site_root;
        index index.html index.htm;
        # A site owner's symlink may only point at files the owner also owns.
        disable_symlinks if_not_owner from=${nginxValue.path(sitesRoot)};
        error_page 404 /__dais/not-found.html;
        error_page 502 504 /__dais/not-running.html;
        error_page 503 /__dais/unavailable.html;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $dais_connection;
        proxy_set_header X-Real-IP $dais_real_ip;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
        proxy_set_header X-Forwarded-Host $host;
        proxy_connect_timeout 5s;

        location / {
            if ($dais_site_kind = "") {
                return 404;
            }
            if ($dais_site_kind = "unavailable") {
                return 503;
            }
            if ($dais_site_kind = "down") {
                return 502;
            }
            if ($dais_site_kind = "dynamic") {
                proxy_pass http://$dais_site_upstream;
            }
            try_files $uri $uri/ =404;
        }

${errorPageLocation('/__dais/not-found.html', ERROR_PAGES.notFound)}

${errorPageLocation('/__dais/unavailable.html', ERROR_PAGES.unavailable)}

${errorPageLocation('/__dais/not-running.html', ERROR_PAGES.notRunning)}`;
