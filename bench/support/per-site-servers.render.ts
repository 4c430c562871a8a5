import type { SiteSpec } from '@dais/shared';
import { ERROR_PAGES, errorPageLocation, nginxValue, renderMainConfig, type ConfigFiles } from '@dais/nginx';
import type { SitesConfigInput } from '../../apps/orchestrator/src/nginx/sites-config.render';

/**
 * How much each site's block carries: `minimal` is only what routes (server_name, then root,
 * proxy_pass or a status); `full` adds what the map layout's single server carries (error pages,
 * proxy headers, symlink guard), so both layouts answer every request the same way.
 */
export type PerSiteBlocks = 'minimal' | 'full';

/**
 * The baseline layout the map renderer is measured against: one `server {}` per site, as
 * hosting panels classically write it (Director 4.0 did). Bench-only: Dais itself renders maps.
 * All blocks go into one file, so the comparison measures nginx, not the number of files.
 */
export function renderPerSiteServers(input: SitesConfigInput, blocks: PerSiteBlocks): ConfigFiles {
  const listen = nginxValue.listen(input.listen.host, input.listen.port);
  const servers: string[] = [];
  for (const site of input.sites) servers.push(renderSiteServer(site, input, listen, blocks));
  const http = `    map $http_upgrade $dais_connection {
        default upgrade;
        "" "";
    }

    server {
        listen ${listen} default_server;
        server_name _;
        error_page 404 /__dais/not-found.html;
        location / {
            return 404;
        }
${errorPageLocation('/__dais/not-found.html', ERROR_PAGES.notFound)}
    }

    include site-servers.conf;
`;
  return {
    'nginx.conf': renderMainConfig({ prefix: input.prefix, generation: input.generation, statusPort: input.statusPort, http }),
    'site-servers.conf': servers.length ? servers.join('\n') : '# no sites\n',
  };
}

function renderSiteServer(site: SiteSpec, input: SitesConfigInput, listen: string, blocks: PerSiteBlocks): string {
  const route = routeOf(site, input);
  const full = blocks === 'full';
  const lines = [
    `server {`,
    `    listen ${listen};`,
    `    server_name ${site.hostnames.map((hostname) => nginxValue.hostname(hostname)).join(' ')};`,
    ...(site.nginx.clientMaxBodyMb === undefined ? [] : [`    client_max_body_size ${nginxValue.integer(site.nginx.clientMaxBodyMb)}m;`]),
    ...(route.root ? [`    root ${route.root};`, `    index index.html index.htm;`] : []),
    ...(route.root && full ? [`    disable_symlinks if_not_owner from=$document_root;`] : []),
    ...(full ? ERROR_PAGE_DIRECTIVES : []),
    ...(route.proxied && full ? PROXY_DIRECTIVES : []),
    `    location / {`,
    `        ${route.location}`,
    `    }`,
    ...(full ? ERROR_PAGE_LOCATIONS : []),
    `}`,
  ];
  return `${route.upstreamBlock ?? ''}${lines.join('\n')}\n`;
}

function routeOf(site: SiteSpec, input: SitesConfigInput): { location: string; root?: string; proxied?: boolean; upstreamBlock?: string } {
  if (site.availability !== 'enabled' || site.runtime?.stopped) return { location: 'return 503;' };
  if (site.type === 'static') return { location: 'try_files $uri $uri/ =404;', root: nginxValue.path(input.publicDirOf(site.id)) };
  const endpoints = input.endpointsOf(site.id).map((endpoint) => nginxValue.address(endpoint));
  const [first, ...others] = endpoints;
  if (!first) return { location: 'return 502;' };
  if (others.length === 0) return { location: `proxy_pass http://${first};`, proxied: true };
  const group = `dais_site_${nginxValue.integer(site.id)}`;
  const servers = endpoints.map((endpoint) => `    server ${endpoint} max_fails=1 fail_timeout=5s;`).join('\n');
  return { location: `proxy_pass http://${group};`, proxied: true, upstreamBlock: `upstream ${group} {\n${servers}\n}\n` };
}

const ERROR_PAGE_DIRECTIVES = [
  `    error_page 404 /__dais/not-found.html;`,
  `    error_page 502 504 /__dais/not-running.html;`,
  `    error_page 503 /__dais/unavailable.html;`,
];

const ERROR_PAGE_LOCATIONS = [
  errorPageLocation('/__dais/not-found.html', ERROR_PAGES.notFound),
  errorPageLocation('/__dais/unavailable.html', ERROR_PAGES.unavailable),
  errorPageLocation('/__dais/not-running.html', ERROR_PAGES.notRunning),
].map((location) => location.replace(/^ {4}/gm, ''));

const PROXY_DIRECTIVES = [
  `    proxy_http_version 1.1;`,
  `    proxy_set_header Host $host;`,
  `    proxy_set_header Upgrade $http_upgrade;`,
  `    proxy_set_header Connection $dais_connection;`,
  `    proxy_set_header X-Real-IP $remote_addr;`,
  `    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`,
  `    proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;`,
  `    proxy_set_header X-Forwarded-Host $host;`,
  `    proxy_connect_timeout 5s;`,
];
