import type { SiteSpec } from '@dais/shared';
import { ERROR_PAGES, errorPageLocation, nginxValue, renderMainConfig, renderMapEntries, type ConfigFiles } from '@dais/nginx';

/** Everything the orchestrator's nginx config is made from. */
export interface SitesConfigInput {
  prefix: string;
  generation: number;
  statusPort: number;
  listen: { host: string; port: number };
  /** Returns the folder nginx serves for a site. */
  publicDirOf(siteId: number): string;
  sites: Iterable<SiteSpec>;
}

/**
 * Renders the orchestrator tier: one server for every site, with routes as data. Each hostname
 * maps to its site's `public/` folder and availability, so 10,000 sites cost two map lookups,
 * not 10,000 server blocks.
 */
export function renderSitesConfig(input: SitesConfigInput): ConfigFiles {
  const roots: [string, string][] = [];
  const availability: [string, string][] = [];
  for (const site of input.sites) {
    const root = nginxValue.path(input.publicDirOf(site.id));
    for (const hostname of site.hostnames) {
      roots.push([nginxValue.hostname(hostname), root]);
      availability.push([hostname, nginxValue.token(site.availability)]);
    }
  }
  const listen = nginxValue.listen(input.listen.host, input.listen.port);
  const http = `    map $host $dais_site_root {
        default "";
        include site-roots.map;
    }

    map $host $dais_site_availability {
        default "";
        include site-availability.map;
    }

    server {
        listen ${listen} default_server;
        server_name _;
        root $dais_site_root;
        index index.html index.htm;
        # A site owner's symlink may only point at files the owner also owns.
        disable_symlinks if_not_owner from=$dais_site_root;
        error_page 404 /__dais/not-found.html;
        error_page 503 /__dais/unavailable.html;

        location / {
            if ($dais_site_root = "") {
                return 404;
            }
            if ($dais_site_availability != "enabled") {
                return 503;
            }
            try_files $uri $uri/ =404;
        }

${errorPageLocation('/__dais/not-found.html', ERROR_PAGES.notFound)}

${errorPageLocation('/__dais/unavailable.html', ERROR_PAGES.unavailable)}
    }
`;
  return {
    'nginx.conf': renderMainConfig({ prefix: input.prefix, generation: input.generation, statusPort: input.statusPort, http }),
    'site-roots.map': renderMapEntries(roots),
    'site-availability.map': renderMapEntries(availability),
  };
}
