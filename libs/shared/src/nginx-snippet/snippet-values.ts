/**
 * Checks for the kinds of argument a snippet directive takes. Each returns why a value is refused,
 * or null. They accept only what nginx 1.22+ parses without error, so an accepted snippet loads.
 */

/** Variables a snippet defines with `set`, which it may then read. */
export interface SnippetScope {
  variables: ReadonlySet<string>;
}

/** nginx's own variables that a snippet may read (those revealing host paths or processes are left out). */
const READABLE_VARIABLES = new Set(
  (
    'http_host http_user_agent http_referer http_via http_x_forwarded_for http_cookie content_length content_type host ' +
    'binary_remote_addr remote_addr remote_port server_addr server_port server_protocol scheme https request_uri uri ' +
    'document_uri request query_string args is_args server_name request_method remote_user bytes_sent body_bytes_sent ' +
    'pipe request_completion request_body request_length request_time request_id status limit_rate connection ' +
    'connection_requests connection_time msec time_iso8601 time_local gzip_ratio upstream_addr upstream_bytes_received ' +
    'upstream_bytes_sent upstream_cache_status upstream_connect_time upstream_header_time upstream_response_length ' +
    'upstream_response_time upstream_status dais_site_upstream'
  ).split(' '),
);
/** nginx's variables a snippet may not read: they reveal paths on the host or about its processes. */
const HIDDEN_VARIABLES = new Set(
  'document_root realpath_root request_filename request_body_file hostname pid nginx_version proxy_protocol_addr proxy_protocol_port proxy_protocol_server_addr proxy_protocol_server_port tcpinfo_rtt tcpinfo_rttvar tcpinfo_snd_cwnd tcpinfo_rcv_space'.split(
    ' ',
  ),
);
/** Families of variables nginx makes from a request (`$http_accept`, `$arg_page`, …). */
const VARIABLE_PREFIXES = [
  'http_',
  'sent_http_',
  'sent_trailer_',
  'cookie_',
  'arg_',
  'upstream_http_',
  'upstream_cookie_',
  'upstream_trailer_',
];

/** Why `name` (without `$`) may not be read, or null; `$1`…`$9` are the captures of the last regex. */
export function variableProblem(written: string, scope: SnippetScope): string | null {
  // nginx looks variables up by their lowercase name.
  const name = written.toLowerCase();
  if (/^[1-9]$/.test(name) || READABLE_VARIABLES.has(name) || scope.variables.has(name)) return null;
  if (VARIABLE_PREFIXES.some((prefix) => name.startsWith(prefix) && name.length > prefix.length)) return null;
  if (HIDDEN_VARIABLES.has(name) || name.startsWith('dais_')) return `the variable $${written} may not be used in a snippet`;
  return `unknown variable $${written} (define it with "set" first, or use one of nginx's variables)`;
}

/** Names of the variables in a value nginx compiles as a script (`$name`, `${name}`, `$1`…`$9`). */
export function scanVariables(value: string): { names: string[]; problem: string | null } {
  const names: string[] = [];
  for (let index = 0; index < value.length; index++) {
    if (value[index] !== '$') continue;
    const rest = value.slice(index + 1);
    // `${1}` is not a capture to nginx but a variable named "1", which does not exist.
    const bracketed = /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
    const plain = /^[1-9]/.exec(rest) ?? /^[A-Za-z0-9_]+/.exec(rest);
    const match = rest.startsWith('{') ? bracketed : plain;
    if (!match) {
      const problem = rest.startsWith('{')
        ? `"\${" must be followed by a variable name and "}"`
        : `a "$" must start a variable name (nginx has no escape for "$")`;
      return { names, problem };
    }
    names.push(match[1] ?? match[0]);
    index += match[0].length;
  }
  return { names, problem: null };
}

/** A value nginx compiles with variables: every `$` names a variable the snippet may read. */
export function textProblem(value: string, scope: SnippetScope): string | null {
  if (value.length > 2_000) return 'the value is longer than 2000 characters';
  const { names, problem } = scanVariables(value);
  if (problem) return problem;
  for (const name of names) {
    const refused = variableProblem(name, scope);
    if (refused) return refused;
  }
  return null;
}

/** A name for `set`: new, short enough for nginx's variable hash, and not one nginx or Dais defines. */
export function newVariableProblem(value: string): string | null {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]{0,31})$/.exec(value);
  if (!match?.[1]) return 'the variable must be written $name (letters, digits, "_", at most 32 characters)';
  const name = match[1].toLowerCase();
  if (name.startsWith('dais_')) return `$${match[1]} belongs to the platform and cannot be changed`;
  if (READABLE_VARIABLES.has(name) || HIDDEN_VARIABLES.has(name) || VARIABLE_PREFIXES.some((prefix) => name.startsWith(prefix))) {
    return `$${match[1]} is one of nginx's own variables and cannot be set; choose another name`;
  }
  return null;
}

/** Shared shape of the simple argument checks below. */
const pattern =
  (regex: RegExp, what: string) =>
  (value: string): string | null =>
    regex.test(value) ? null : `${JSON.stringify(value)} is not ${what}`;

export const flag = pattern(/^(on|off)$/, '"on" or "off"');
/** A size for nginx's size settings (`512`, `64k`, `10m`; no `g` there); six digits at most, so none overflows. */
export const size = pattern(/^\d{1,6}[kKmM]?$/, 'a size such as 512, 64k or 10m');
/** A size for nginx's file-offset settings (`client_max_body_size`), which also take `g`. */
export const offsetSize = pattern(/^\d{1,6}[kKmMgG]?$/, 'a size such as 512, 64k, 10m or 1g');
/** A duration for nginx's millisecond settings (`500ms`, `30s`, `5m`, `1h`, `7d`): these take no months or years. */
export const duration = pattern(/^\d{1,6}(ms|s|m|h|d|w)?$/, 'a duration such as 500ms, 30s, 5m or 1h');
/** `expires` takes seconds: no `ms`, and it may be negative. */
export const expiryTime = pattern(/^-?\d{1,6}(s|m|h|d|w|M|y)?$/, 'a time such as 30s, 1h, 7d or -1');
/** A header name. */
export const headerName = pattern(/^[A-Za-z0-9_-]{1,64}$/, 'a header name (letters, digits, "-", "_")');
/** A MIME type, short enough for nginx's types hash. */
export const mimeType = pattern(/^(?=.{3,40}$)[A-Za-z0-9][A-Za-z0-9.+-]*\/[A-Za-z0-9*][A-Za-z0-9.+*-]*$/, 'a MIME type such as text/css');
export const charsetName = pattern(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'a charset name such as utf-8');
/** A named location (`@fallback`). */
export const namedLocation = pattern(/^@[A-Za-z0-9_-]{1,64}$/, 'a named location such as @fallback');

/** One of `choices`. */
export const oneOf =
  (...choices: string[]) =>
  (value: string): string | null =>
    choices.includes(value) ? null : `${JSON.stringify(value)} is not one of ${choices.join(', ')}`;

/** An HTTP status between `min` and `max` (nginx refuses 499 in some places; callers exclude it). */
export function statusCode(value: string, min: number, max: number, except: readonly number[] = []): string | null {
  const code = Number(value);
  if (!/^\d{3}$/.test(value) || code < min || code > max || except.includes(code)) {
    return `${JSON.stringify(value)} is not a status code between ${min} and ${max}`;
  }
  return null;
}

const SAFE_PATH = /^\/[A-Za-z0-9._~@+,=:/-]*$/;

/** A URI path on the site, without variables and without `.`/`..` segments (nginx does not normalise these). */
export function sitePathProblem(value: string): string | null {
  if (value.length > 1_000 || !SAFE_PATH.test(value) || value.split('/').some((segment) => segment === '.' || segment === '..')) {
    return `${JSON.stringify(value)} is not a path on the site (it must start with "/", use letters, digits and ._~@+,=:- and have no "." or ".." parts)`;
  }
  return null;
}

/**
 * A path nginx reads files from or redirects to internally: the path part is fixed or built only
 * from `$uri` (which nginx normalises), so request data can never add `..`; variables may follow
 * `?` (they only become arguments). E.g. `/index.php?$args`, `$uri/`, `/cache$uri.html`.
 */
export function internalTargetProblem(value: string, scope: SnippetScope): string | null {
  const question = value.indexOf('?');
  const path = question === -1 ? value : value.slice(0, question);
  const args = question === -1 ? '' : value.slice(question + 1);
  const { names, problem } = scanVariables(path);
  if (problem) return problem;
  if (names.some((name) => name !== 'uri') || path.includes('${')) {
    return `${JSON.stringify(value)} builds a file path from request data: before "?" only $uri may be used (nginx does not remove ".." from other values)`;
  }
  // $uri always starts with "/" and holds no "." or ".." segment.
  return sitePathProblem(path.replace(/\$uri/g, '/u')) ?? textProblem(args, scope);
}

/** An absolute URL a visitor is sent to (a redirect): any variables are fine, nothing is read from disk. */
export function redirectUrlProblem(value: string, scope: SnippetScope): string | null {
  if (!/^(https?:\/\/|\$scheme:\/\/)./.test(value)) return `${JSON.stringify(value)} is not an absolute http:// or https:// URL`;
  return textProblem(value, scope);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether `value` is an IPv6 address (parsed by the URL parser, which exists in browsers and Node). */
function isIpv6(value: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(value) || !value.includes(':')) return false;
  try {
    return new URL(`http://[${value}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** `all`, an IP address, or a network in CIDR form, for `allow`/`deny`. */
export function accessRuleProblem(value: string): string | null {
  if (value === 'all') return null;
  const [address = '', bits, ...rest] = value.split('/');
  const v4 = IPV4.test(address);
  const maxBits = v4 ? 32 : isIpv6(address) ? 128 : 0;
  const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
  if (maxBits === 0 || !bitsOk || rest.length > 0)
    return `${JSON.stringify(value)} is not "all", an IP address or a network like 10.0.0.0/8`;
  return null;
}

/**
 * Where `proxy_pass` may send requests: the site's own containers (`http://$dais_site_upstream`)
 * or an `ip:port` that is not this host (no loopback, no link-local metadata address), never a
 * hostname (nginx would resolve it once, and fail the whole config if it does not resolve).
 */
export function proxyTargetProblem(value: string): string | null {
  if (value === 'http://$dais_site_upstream') return null;
  const match = /^https?:\/\/(\d[\d.]*|\[[0-9A-Fa-f:]+\])(:(\d{1,5}))?$/.exec(value);
  const host = match?.[1] ?? '';
  const port = match?.[3] === undefined ? 80 : Number(match[3]);
  const v4 = IPV4.test(host);
  const v6 = host.startsWith('[') && isIpv6(host.slice(1, -1));
  if (!match || !(v4 || v6) || port < 1 || port > 65535) {
    return `${JSON.stringify(value)} is not http://$dais_site_upstream or http(s)://ip:port (no hostnames, paths or variables)`;
  }
  // IPv6: only global unicast (2000::/3), which excludes ::1, ::, fe80::/10 and mapped IPv4.
  const local = v4 ? /^(127\.|0\.|169\.254\.)/.test(host) : !/^\[[23]/.test(host);
  return local ? `${JSON.stringify(value)} points at this host or a link-local address` : null;
}
