import type { RouteSpec } from '@dais/shared';
import { nginxValue } from '@dais/nginx';

/** A stored certificate the edge may serve: which site, which names, which files. */
export interface ServableCertificate {
  siteId: number;
  hostnames: readonly string[];
  certificateFile: string;
  keyFile: string;
}

/** The HTTPS side of the edge: where it listens, where HTTP-01 answers live, which certificates exist. */
export interface EdgeTlsInput {
  httpsPort: number;
  /** Folder served at `/.well-known/acme-challenge/` on the HTTP listener, for every host. */
  challengeDir: string;
  certificates: Iterable<ServableCertificate>;
}

/** One HTTPS server to render: the names a site's certificate covers and the site still wants. */
interface HttpsSite {
  hostnames: string[];
  certificateFile: string;
  keyFile: string;
  /** The site's own request-body limit, MB, if it has one. */
  clientMaxBodyMb?: number;
}

/**
 * Which hostnames are served over HTTPS: those a site's certificate covers *and* its route still
 * lists as certificate hostnames. A name removed from a route stops being served over HTTPS in
 * the same apply, even before its certificate is replaced or deleted.
 */
export function httpsSites(routes: readonly RouteSpec[], certificates: Iterable<ServableCertificate>): HttpsSite[] {
  const routesById = new Map(routes.map((route) => [route.siteId, route]));
  const sites: HttpsSite[] = [];
  for (const certificate of certificates) {
    const route = routesById.get(certificate.siteId);
    const wanted = route?.certificateHostnames ?? [];
    const hostnames = certificate.hostnames
      .filter((hostname) => wanted.includes(hostname))
      .map((hostname) => nginxValue.hostname(hostname));
    if (hostnames.length === 0) continue;
    sites.push({
      hostnames,
      certificateFile: nginxValue.path(certificate.certificateFile),
      keyFile: nginxValue.path(certificate.keyFile),
      ...(route?.clientMaxBodyMb === undefined ? {} : { clientMaxBodyMb: route.clientMaxBodyMb }),
    });
  }
  return sites.sort((a, b) => (a.hostnames[0] ?? '').localeCompare(b.hostnames[0] ?? ''));
}

/** `https.map` entries: every hostname with a served certificate, whose plain HTTP is redirected. */
export function httpsRedirectEntries(sites: readonly HttpsSite[]): [string, string][] {
  return sites.flatMap((site) => site.hostnames.map((hostname): [string, string] => [hostname, '1']));
}

/** Directives for the `http {}` context that TLS needs; nothing when no certificate is served. */
export function renderTlsHttpDirectives(sites: readonly HttpsSite[]): string {
  if (sites.length === 0) return '';
  return `    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:dais_tls:10m;
    ssl_session_timeout 1d;

`;
}

/**
 * The HTTP listener's ACME location: a `^~` prefix wins over `location /`, so neither the HTTPS
 * redirect nor forwarding can shadow it, for any host; an unknown token is a 404.
 */
export function renderChallengeLocation(challengeDir: string): string {
  return `        location ^~ /.well-known/acme-challenge/ {
            alias ${nginxValue.path(challengeDir.replace(/\/+$/, ''))}/;
            default_type text/plain;
        }
`;
}

/** The redirect of plain HTTP to HTTPS for hostnames that have a certificate (inside `location /`). */
export function renderHttpsRedirect(httpsPort: number): string {
  const port = httpsPort === 443 ? '' : `:${nginxValue.integer(httpsPort)}`;
  return `            if ($dais_https_only) {
                return 301 https://$host${port}$request_uri;
            }
`;
}

/** The map deciding {@link renderHttpsRedirect}; its entries are in `https.map`. */
export const HTTPS_REDIRECT_MAP = `    map $host $dais_https_only {
        hostnames;
        default "";
        include https.map;
    }
`;

/**
 * One TLS server per site with a certificate (its own block: nginx picks the certificate by SNI
 * from `server_name`), forwarding like the HTTP listener; and a default server that refuses the
 * handshake for any other name instead of showing some site's certificate.
 */
export function renderHttpsServers(input: { host: string; port: number; sites: readonly HttpsSite[]; forwarding: string }): string {
  if (input.sites.length === 0) return '';
  const listen = nginxValue.listen(input.host, input.port);
  const servers = input.sites.map(
    (site) => `    server {
        listen ${listen} ssl;
        server_name ${site.hostnames.join(' ')};
        ssl_certificate ${site.certificateFile};
        ssl_certificate_key ${site.keyFile};
${site.clientMaxBodyMb === undefined ? '' : `        client_max_body_size ${nginxValue.integer(site.clientMaxBodyMb)}m;\n`}
${input.forwarding}
    }
`,
  );
  return `
    server {
        listen ${listen} ssl default_server;
        server_name _;
        ssl_reject_handshake on;
    }

${servers.join('\n')}`;
}
