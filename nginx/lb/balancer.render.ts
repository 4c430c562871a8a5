import { BALANCER_ACL, type BalancerCaller, type BalancerRule, type BalancerTargetRole } from './balancer-acl';
import type { BalancerConfig } from './balancer-config';

/** Header the balancer adds: `passed` on what it forwarded, `refused` on what it stopped itself. */
export const BALANCER_HEADER = 'x-dais-balancer';
/** The `error.code` of the JSON body a refusal carries, shaped like the apps' errors (which use other codes). */
export const BALANCER_REFUSAL_CODE = 'BALANCER_FORBIDDEN';

const IDENTIFIED_CALLERS = ['shell', 'manager'] as const satisfies readonly BalancerCaller[];

/**
 * Request targets the balancer refuses before any rule, because nginx and the apps could read them
 * differently: nginx matches the decoded, dot-resolved, slash-merged path while the apps see the
 * raw one. Encoded dots, slashes, backslashes, semicolons and control characters, `//`, and `.`/`..`
 * segments never reach an app; neither does a target that does not start with `/` (absolute form).
 * What remains decodes to the same path on both sides.
 */
const UNSAFE_TARGETS = [
  String.raw`"~*^[^?]*(//|%(2e|2f|5c|3b|[01][0-9a-f]|7f)|[;\x5c])" 1;`,
  String.raw`"~^[^?]*/[.][.]?([/?]|$)" 1;`,
  String.raw`"~^/" 0;`,
];

/** Map entries, one per line, indented to sit inside a `map {}` in `http {}`. */
const entries = (lines: readonly string[]): string => lines.map((line) => `        ${line}\n`).join('');

/** The regex (for a map key) matching a path within `prefix`, as the apps' allow-lists read prefixes. */
function pathPattern(prefix: string): string {
  if (prefix === '/') return '/';
  return prefix.endsWith('/') ? `${prefix.slice(0, -1)}(/|$)` : `${prefix}$`;
}

function renderRule(role: BalancerTargetRole, rule: BalancerRule): string[] {
  const methods = rule.methods ? `(${rule.methods.join('|')})` : '[^|]+';
  const key = `~^0[|]${role}[|](${rule.callers.join('|')})[|]${methods}[|]${pathPattern(rule.prefix)}`;
  return [`# ${role}: ${rule.why}`, `"${key}" ${rule.allow ? 1 : 0};`];
}

/** Which caller a request comes from: a verified client certificate first, then the source address. */
function renderCallerMaps(config: BalancerConfig): string {
  const certificateLines: string[] = [];
  const addressLines: string[] = [];
  for (const caller of IDENTIFIED_CALLERS) {
    const identity = config.callers[caller];
    const commonName = identity?.certificateCommonName?.replace(/\./g, '[.]');
    if (commonName) certificateLines.push(`"~^SUCCESS[|]CN=${commonName}(,|$)" ${caller};`);
    for (const network of identity?.sourceAddresses ?? []) addressLines.push(`${network} ${caller};`);
  }
  const certificateKey = config.tls ? '"$ssl_client_verify|$ssl_client_s_dn"' : '""';
  return `    map ${certificateKey} $dais_certificate_caller {
        default "";
${entries(certificateLines)}    }
    geo $dais_address_caller {
        default public;
${entries(addressLines)}    }
    map $dais_certificate_caller $dais_caller {
        "" $dais_address_caller;
        default $dais_certificate_caller;
    }`;
}

function renderAclMap(config: BalancerConfig): string {
  const roles = [...new Set(config.targets.map((target) => target.role))];
  const rules = roles.flatMap((role) => BALANCER_ACL[role].flatMap((rule) => renderRule(role, rule)));
  return `    map $request_uri $dais_unsafe_target {
        default 1;
${entries(UNSAFE_TARGETS)}    }
    # First matching rule decides; anything no rule allows is refused.
    map "$dais_unsafe_target|$dais_target|$dais_caller|$request_method|$uri" $dais_allowed {
        default 0;
${entries(rules)}    }`;
}

const upstreamName = (name: string): string => `dais_${name.replace(/-/g, '_')}`;

function renderTarget(config: BalancerConfig, target: BalancerConfig['targets'][number]): string {
  const listenHost = target.listen.host.includes(':') ? `[${target.listen.host}]` : target.listen.host;
  const address = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
  const tls = config.tls
    ? `
        ssl_certificate ${config.tls.certificate};
        ssl_certificate_key ${config.tls.key};
        ssl_protocols TLSv1.2 TLSv1.3;
        # Ask every client for a certificate but admit those without one (browsers): the
        # certificate only decides which caller this is. One from another CA verifies as FAILED.
        ssl_client_certificate ${config.tls.clientCertificateAuthority};
        ssl_verify_client optional_no_ca;
        ssl_verify_depth 1;
        error_page 495 496 = @dais_refused;`
    : '';
  return `    upstream ${upstreamName(target.name)} {
${target.upstreams.map((upstream) => `        server ${address(upstream.host, upstream.port)};`).join('\n')}
    }
    server {
        listen ${listenHost}:${target.listen.port}${config.tls ? ' ssl' : ''};
        server_name ${target.serverName ?? '""'};${tls}
        set $dais_target ${target.role};
        error_page 418 = @dais_refused;
        if ($dais_allowed != 1) {
            return 418;
        }
        location / {
            proxy_pass http://${upstreamName(target.name)};
            add_header ${BALANCER_HEADER} passed always;
        }
        location @dais_refused {
            default_type application/json;
            add_header ${BALANCER_HEADER} refused always;
            return 403 '{"error":{"code":"${BALANCER_REFUSAL_CODE}","message":"The load balancer does not let this caller ($dais_caller) reach this path."}}\\n';
        }
    }`;
}

/**
 * Renders a whole nginx.conf for one balancer: caller identification, the ACL of
 * {@link BALANCER_ACL} for each target role present, and one server per target. Values were
 * validated by `parseBalancerConfig`; nothing here escapes, because nothing needs to.
 */
export function renderBalancerConfig(config: BalancerConfig): string {
  const prefix = config.prefix;
  return `# Dais load balancer: rendered by nginx/lb/render.ts from a balancer description. Edit the
# description and render again rather than editing this file (docs/load-balancers.md).
worker_processes auto;
pid ${prefix}/run/nginx.pid;
error_log ${prefix}/logs/error.log warn;

events {
    worker_connections 4096;
}

http {
    client_body_temp_path ${prefix}/temp/client_body;
    proxy_temp_path ${prefix}/temp/proxy;
    fastcgi_temp_path ${prefix}/temp/fastcgi;
    uwsgi_temp_path ${prefix}/temp/uwsgi;
    scgi_temp_path ${prefix}/temp/scgi;
    server_tokens off;
    log_format dais_balancer '$remote_addr $dais_caller "$request" $status $body_bytes_sent $request_time';
    access_log ${prefix}/logs/access.log dais_balancer;

    # Bodies and headers pass untouched: the apps verify signatures over method, raw path and body.
    client_max_body_size ${config.maxBodyMegabytes}m;
    proxy_http_version 1.1;
    proxy_buffering off;
    proxy_request_buffering off;
    proxy_read_timeout 3600s;
    proxy_send_timeout 3600s;
    proxy_set_header Host $http_host;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $dais_connection;
    # The first hop: whatever a client claims in X-Forwarded-For is replaced, not appended to.
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;

    map $http_upgrade $dais_connection {
        default upgrade;
        "" "";
    }
${renderCallerMaps(config)}
${renderAclMap(config)}

${config.targets.map((target) => renderTarget(config, target)).join('\n\n')}
}
`;
}
