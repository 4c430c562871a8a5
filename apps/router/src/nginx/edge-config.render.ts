import type { RouteSpec } from '@dais/shared';
import { ERROR_PAGES, errorPageLocation, nginxValue, renderMainConfig, renderMapEntries, type ConfigFiles } from '@dais/nginx';
import {
  HTTPS_REDIRECT_MAP,
  httpsRedirectEntries,
  httpsSites,
  renderChallengeLocation,
  renderHttpsRedirect,
  renderHttpsServers,
  renderTlsHttpDirectives,
  type EdgeTlsInput,
} from './edge-tls.render';

/** Everything the router's nginx config is made from. */
export interface EdgeConfigInput {
  prefix: string;
  generation: number;
  statusPort: number;
  listen: { host: string; port: number };
  /** Orchestrator data-plane addresses, `ip:port` each. */
  orchestrators: readonly string[];
  routes: Iterable<RouteSpec>;
  tls: EdgeTlsInput;
}

/**
 * Renders the edge: every known hostname is forwarded to the orchestrator pool with its original
 * Host; unknown hostnames get a 404 page here. A dead orchestrator is skipped for 10 s at a time.
 * Hostnames with a certificate are also served over HTTPS, and their plain HTTP is redirected
 * there, except ACME's HTTP-01 path, which every host answers on the HTTP listener. A site with
 * its own request-body limit gets its own `server` (nginx's limit takes no variables); every
 * other site is a map entry.
 */
export function renderEdgeConfig(input: EdgeConfigInput): ConfigFiles {
  const routeList = [...input.routes];
  const routes: [string, string][] = [];
  for (const route of routeList) {
    for (const hostname of route.hostnames) routes.push([nginxValue.hostname(hostname), nginxValue.integer(route.siteId)]);
  }
  const secured = httpsSites(routeList, input.tls.certificates);
  const limited = routeList.filter((route) => route.clientMaxBodyMb !== undefined);
  const listen = nginxValue.listen(input.listen.host, input.listen.port);
  const httpLocations = `${renderChallengeLocation(input.tls.challengeDir)}
        location / {
${renderHttpsRedirect(input.tls.httpsPort)}            if ($dais_site_id = "") {
                return 404;
            }
${renderForwarding()}
        }

${errorPageLocation('/__dais/not-found.html', ERROR_PAGES.notFound)}`;
  const upstreams = input.orchestrators
    .map((address) => `        server ${nginxValue.address(address)} max_fails=1 fail_timeout=10s;`)
    .join('\n');
  const http = `${renderTlsHttpDirectives(secured)}    map $host $dais_site_id {
        hostnames;
        default "";
        include routes.map;
    }

${HTTPS_REDIRECT_MAP}
    map $http_upgrade $dais_connection {
        default upgrade;
        "" "";
    }

    upstream dais_orchestrators {
${upstreams}
        keepalive 32;
    }

    server {
        listen ${listen} default_server;
        server_name _;
        error_page 404 /__dais/not-found.html;

${httpLocations}
    }
${limited.map((route) => renderLimitedServer(route, listen, httpLocations)).join('')}${renderHttpsServers({ host: input.listen.host, port: input.tls.httpsPort, sites: secured, forwarding: `        location / {\n${renderForwarding()}\n        }` })}`;
  return {
    'nginx.conf': renderMainConfig({
      prefix: input.prefix,
      generation: input.generation,
      statusPort: input.statusPort,
      http,
      mapKeys: routes.map(([host]) => host),
      serverNames: [...secured.flatMap((site) => site.hostnames), ...limited.flatMap((route) => route.hostnames)],
    }),
    'routes.map': renderMapEntries(routes),
    'https.map': renderMapEntries(httpsRedirectEntries(secured)),
  };
}

/** The HTTP server of a site with its own request-body limit: the default server's routing, its hostnames as server_name. */
function renderLimitedServer(route: RouteSpec, listen: string, locations: string): string {
  return `
    server {
        listen ${listen};
        server_name ${route.hostnames.map((hostname) => nginxValue.hostname(hostname)).join(' ')};
        client_max_body_size ${nginxValue.integer(route.clientMaxBodyMb ?? 1)}m;
        error_page 404 /__dais/not-found.html;

${locations}
    }
`;
}

/** How a request reaches the orchestrators, the same on the HTTP and HTTPS listeners. */
function renderForwarding(): string {
  return `            proxy_pass http://dais_orchestrators;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $dais_connection;
            # This is the edge: what the client claims about earlier hops is not trusted.
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_connect_timeout 5s;
            proxy_next_upstream error timeout;`;
}
