import { regexProblem } from './snippet-regex';
import {
  accessRuleProblem,
  charsetName,
  duration,
  expiryTime,
  flag,
  headerName,
  internalTargetProblem,
  mimeType,
  namedLocation,
  newVariableProblem,
  offsetSize,
  oneOf,
  proxyTargetProblem,
  redirectUrlProblem,
  size,
  statusCode,
  textProblem,
  variableProblem,
  type SnippetScope,
} from './snippet-values';

/** Where a directive sits: nginx's `server`, `location`, `if` in either, and `limit_except`. */
export type SnippetContext = 'server' | 'location' | 'server-if' | 'location-if' | 'limit-except';

/** What a snippet may say with one directive. */
export interface DirectiveRule {
  contexts: readonly SnippetContext[];
  /** The context a block directive opens for its body (absent: not a block). */
  opens?: (parent: SnippetContext) => SnippetContext;
  /** Whether it may appear more than once in one block (nginx refuses most duplicates). */
  repeatable?: boolean;
  /** Rewrites the arguments into their canonical form (e.g. `=/x` into `=` `/x`). */
  normalize?: (args: readonly string[]) => string[];
  /** Why the (normalized) arguments are refused, or null. */
  check(args: readonly string[], scope: SnippetScope): string | null;
}

type Check = (value: string, scope: SnippetScope) => string | null;

/** Exactly these argument checks, one per argument. */
const takes =
  (...checks: Check[]) =>
  (args: readonly string[], scope: SnippetScope): string | null =>
    args.length !== checks.length
      ? `takes ${checks.length} argument${checks.length === 1 ? '' : 's'}, not ${args.length}`
      : checks.reduce<string | null>((problem, check, index) => problem ?? check(args[index] ?? '', scope), null);

/** `min` or more arguments, each passing `check`. */
const takesMany =
  (min: number, check: Check, max = 64) =>
  (args: readonly string[], scope: SnippetScope): string | null =>
    args.length < min || args.length > max
      ? `takes ${min} to ${max} arguments, not ${args.length}`
      : args.reduce<string | null>((problem, arg) => problem ?? check(arg, scope), null);

const SERVER_LOCATION: SnippetContext[] = ['server', 'location'];
const WITH_LOCATION_IF: SnippetContext[] = ['server', 'location', 'location-if'];
const REWRITE: SnippetContext[] = ['server', 'server-if', 'location', 'location-if'];
const LOCATION: SnippetContext[] = ['location'];
/** Request headers the platform sets towards the site; a snippet must not send them twice. */
const PLATFORM_HEADERS = ['host', 'upgrade', 'connection', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'];
const REDIRECT_CODES = ['301', '302', '303', '307', '308'];
const METHODS = 'GET HEAD POST PUT DELETE MKCOL COPY MOVE OPTIONS PROPFIND PROPPATCH LOCK UNLOCK PATCH'.split(' ');

const text: Check = (value, scope) => textProblem(value, scope);

function returnProblem(args: readonly string[], scope: SnippetScope): string | null {
  const [first = '', second] = args;
  if (args.length === 1 && !/^\d+$/.test(first)) return redirectUrlProblem(first, scope);
  if (args.length < 1 || args.length > 2) return `takes 1 or 2 arguments, not ${args.length}`;
  const problem = first === '444' ? null : statusCode(first, 200, 599);
  if (problem || second === undefined) return problem;
  return REDIRECT_CODES.includes(first) ? redirectUrlProblem(second, scope) : textProblem(second, scope);
}

function rewriteProblem(args: readonly string[], scope: SnippetScope): string | null {
  const [regex = '', replacement = '', rewriteFlag] = args;
  if (args.length < 2 || args.length > 3) return `takes 2 or 3 arguments, not ${args.length}`;
  const problem = regexProblem(regex) ?? (rewriteFlag === undefined ? null : oneOf('last', 'break', 'redirect', 'permanent')(rewriteFlag));
  if (problem) return problem;
  // A redirect only tells the visitor where to go; an internal rewrite makes nginx read that path.
  if (/^(https?:\/\/|\$scheme)/.test(replacement)) return redirectUrlProblem(replacement, scope);
  if (rewriteFlag === 'redirect' || rewriteFlag === 'permanent') return textProblem(replacement, scope);
  return internalTargetProblem(replacement, scope);
}

function expiresProblem(args: readonly string[]): string | null {
  if (args.length === 1) return ['off', 'epoch', 'max'].includes(args[0] ?? '') ? null : expiryTime(args[0] ?? '');
  if (args.length === 2 && args[0] === 'modified') return expiryTime(args[1] ?? '');
  return 'takes off, epoch, max, a time, or "modified" and a time';
}

function errorPageProblem(args: readonly string[], scope: SnippetScope): string | null {
  const target = args.at(-1) ?? '';
  const middle = args.slice(0, -1);
  const answer = middle.at(-1)?.startsWith('=') ? middle.pop() : undefined;
  if (middle.length === 0) return 'takes one or more status codes, an optional =code and a URI';
  const codeProblem = middle.reduce<string | null>((problem, value) => problem ?? statusCode(value, 400, 599, [499]), null);
  if (codeProblem) return codeProblem;
  if (answer !== undefined && answer !== '=') {
    const problem = statusCode(answer.slice(1), 200, 599, [499]);
    if (problem) return problem;
  }
  if (target.startsWith('@')) return namedLocation(target);
  return /^https?:\/\//.test(target) ? redirectUrlProblem(target, scope) : internalTargetProblem(target, scope);
}

function tryFilesProblem(args: readonly string[], scope: SnippetScope): string | null {
  if (args.length < 2 || args.length > 16) return `takes 2 to 16 arguments, not ${args.length}`;
  const last = args.at(-1) ?? '';
  for (const file of args.slice(0, -1)) {
    const problem =
      internalTargetProblem(file, scope) ?? (file.includes('?') ? `${JSON.stringify(file)}: only the last argument may have "?"` : null);
    if (problem) return problem;
  }
  if (/^=\d+$/.test(last)) return statusCode(last.slice(1), 200, 599, [499]);
  return last.startsWith('@') ? namedLocation(last) : internalTargetProblem(last, scope);
}

/** `location` written with its modifier glued on (`=/x`, `~*\.css$`) becomes two arguments. */
function normalizeLocation(args: readonly string[]): string[] {
  const [only] = args;
  if (args.length !== 1 || only === undefined) return [...args];
  for (const modifier of ['^~', '~*', '=', '~']) {
    if (only.startsWith(modifier) && only.length > modifier.length) return [modifier, only.slice(modifier.length)];
  }
  return [only];
}

function locationProblem(args: readonly string[]): string | null {
  const [first = '', second] = args;
  if (args.length === 1) return first.startsWith('@') ? namedLocation(first) : prefixProblem(first);
  if (args.length !== 2 || second === undefined) return 'takes an optional modifier (=, ^~, ~, ~*) and a URI';
  if (first === '~' || first === '~*') return regexProblem(second);
  return first === '=' || first === '^~' ? prefixProblem(second) : `"${first}" is not a location modifier (=, ^~, ~, ~*)`;
}

function prefixProblem(uri: string): string | null {
  // Control characters never get this far (the whole snippet is checked for them first).
  if (!/^\/\S{0,999}$/.test(uri)) return `${JSON.stringify(uri)} is not a URI starting with "/" (no spaces)`;
  if (uri === '/' || uri.startsWith('/__dais'))
    return `the location ${uri} belongs to the platform; use a longer prefix or a regex location`;
  return null;
}

/** `if` conditions in canonical form: `$var`, or `$var`, an operator and a value. */
function normalizeCondition(args: readonly string[]): string[] {
  const parts = [...args];
  if (parts[0] === '(') parts.shift();
  else if (parts[0]?.startsWith('(')) parts[0] = parts[0].slice(1);
  const last = parts.length - 1;
  if (parts[last] === ')') parts.pop();
  else if (parts[last]?.endsWith(')')) parts[last] = parts[last].slice(0, -1);
  const wrapped = args[0]?.startsWith('(') === true && args.at(-1)?.endsWith(')') === true;
  return wrapped ? parts : ['(unbalanced)'];
}

function conditionProblem(args: readonly string[], scope: SnippetScope): string | null {
  const [variable = '', operator, value = ''] = args;
  const shape =
    'a condition must be ($variable) or ($variable OP value) with OP one of = != ~ ~* !~ !~*; file checks like -f are not allowed';
  // The tested variable is looked up by name: a capture like $1 is no variable there.
  if ((args.length !== 1 && args.length !== 3) || !/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) return shape;
  const problem = variableProblem(variable.slice(1), scope);
  if (problem || operator === undefined) return problem;
  if (operator === '=' || operator === '!=') return textProblem(value, scope);
  return ['~', '~*', '!~', '!~*'].includes(operator) ? regexProblem(value) : shape;
}

/**
 * The directives a snippet may use, with nginx's own contexts for each (narrowed where the
 * platform's server block already sets the directive). Anything not listed is refused: a
 * deny-list would let through every directive of a module loaded later that reads files, runs
 * code or writes logs (`include`, `load_module`, `lua_*`, `perl`, `ssi`, `access_log <path>`…).
 */
export const SNIPPET_DIRECTIVES: Readonly<Record<string, DirectiveRule>> = {
  add_header: {
    contexts: WITH_LOCATION_IF,
    repeatable: true,
    check: (args, scope) =>
      args.length === 3 && args[2] !== 'always'
        ? 'the third argument may only be "always"'
        : args.length === 3
          ? takes(headerName, text)(args.slice(0, 2), scope)
          : takes(headerName, text)(args, scope),
  },
  expires: { contexts: WITH_LOCATION_IF, check: expiresProblem },
  etag: { contexts: SERVER_LOCATION, check: takes(flag) },
  if_modified_since: { contexts: SERVER_LOCATION, check: takes(oneOf('off', 'exact', 'before')) },
  charset: { contexts: WITH_LOCATION_IF, check: takes(charsetName) },
  default_type: { contexts: SERVER_LOCATION, check: takes(mimeType) },
  return: { contexts: REWRITE, repeatable: true, check: returnProblem },
  rewrite: { contexts: REWRITE, repeatable: true, check: rewriteProblem },
  set: { contexts: REWRITE, repeatable: true, check: takes(newVariableProblem, text) },
  break: { contexts: REWRITE, repeatable: true, check: takes() },
  if: {
    contexts: SERVER_LOCATION,
    repeatable: true,
    opens: (parent) => (parent === 'server' ? 'server-if' : 'location-if'),
    normalize: normalizeCondition,
    check: conditionProblem,
  },
  location: { contexts: ['server'], repeatable: true, opens: () => 'location', normalize: normalizeLocation, check: locationProblem },
  limit_except: { contexts: LOCATION, opens: () => 'limit-except', check: takesMany(1, oneOf(...METHODS), METHODS.length) },
  allow: { contexts: ['server', 'location', 'limit-except'], repeatable: true, check: takes(accessRuleProblem) },
  deny: { contexts: ['server', 'location', 'limit-except'], repeatable: true, check: takes(accessRuleProblem) },
  try_files: { contexts: LOCATION, check: tryFilesProblem },
  index: {
    contexts: LOCATION,
    check: takesMany(
      1,
      (value) =>
        /^[A-Za-z0-9._~@+,=:-]{1,128}$/.test(value) && !/^\.\.?$/.test(value) ? null : `${JSON.stringify(value)} is not a file name`,
      8,
    ),
  },
  autoindex: { contexts: SERVER_LOCATION, check: takes(flag) },
  autoindex_exact_size: { contexts: SERVER_LOCATION, check: takes(flag) },
  autoindex_localtime: { contexts: SERVER_LOCATION, check: takes(flag) },
  autoindex_format: { contexts: SERVER_LOCATION, check: takes(oneOf('html', 'xml', 'json', 'jsonp')) },
  error_page: { contexts: WITH_LOCATION_IF, repeatable: true, check: errorPageProblem },
  internal: { contexts: LOCATION, check: takes() },
  gzip: { contexts: WITH_LOCATION_IF, check: takes(flag) },
  gzip_types: { contexts: SERVER_LOCATION, check: takesMany(1, (value) => (value === '*' ? null : mimeType(value)), 32) },
  gzip_comp_level: { contexts: SERVER_LOCATION, check: takes(oneOf('1', '2', '3', '4', '5', '6', '7', '8', '9')) },
  gzip_min_length: { contexts: SERVER_LOCATION, check: takes(size) },
  gzip_vary: { contexts: SERVER_LOCATION, check: takes(flag) },
  gzip_proxied: {
    contexts: SERVER_LOCATION,
    check: takesMany(1, oneOf('off', 'expired', 'no-cache', 'no-store', 'private', 'no_last_modified', 'no_etag', 'auth', 'any'), 9),
  },
  limit_rate: { contexts: WITH_LOCATION_IF, check: takes(size) },
  limit_rate_after: { contexts: WITH_LOCATION_IF, check: takes(size) },
  client_max_body_size: { contexts: LOCATION, check: takes(offsetSize) },
  client_body_timeout: { contexts: SERVER_LOCATION, check: takes(duration) },
  send_timeout: { contexts: SERVER_LOCATION, check: takes(duration) },
  keepalive_timeout: { contexts: SERVER_LOCATION, check: takes(duration) },
  log_not_found: { contexts: SERVER_LOCATION, check: takes(flag) },
  access_log: { contexts: WITH_LOCATION_IF, check: takes(oneOf('off')) },
  proxy_pass: { contexts: ['location', 'location-if', 'limit-except'], check: takes(proxyTargetProblem) },
  proxy_read_timeout: { contexts: SERVER_LOCATION, check: takes(duration) },
  proxy_send_timeout: { contexts: SERVER_LOCATION, check: takes(duration) },
  proxy_buffering: { contexts: SERVER_LOCATION, check: takes(flag) },
  proxy_request_buffering: { contexts: SERVER_LOCATION, check: takes(flag) },
  proxy_intercept_errors: { contexts: SERVER_LOCATION, check: takes(flag) },
  proxy_redirect: { contexts: SERVER_LOCATION, check: takes(oneOf('off')) },
  proxy_hide_header: { contexts: SERVER_LOCATION, repeatable: true, check: takes(headerName) },
  proxy_pass_header: { contexts: SERVER_LOCATION, repeatable: true, check: takes(headerName) },
  proxy_set_header: {
    contexts: SERVER_LOCATION,
    repeatable: true,
    check: (args, scope) =>
      PLATFORM_HEADERS.includes((args[0] ?? '').toLowerCase())
        ? `the platform sets ${args[0] ?? ''} itself`
        : takes(headerName, text)(args, scope),
  },
};

/** Why well-known directives are refused, for a message that says more than "not allowed". */
export const REFUSAL_REASONS: Readonly<Record<string, string>> = {
  include: 'it reads files from the host',
  load_module: 'it loads code into nginx',
  root: 'the site is always served from its own public/ folder',
  alias: 'the site is always served from its own public/ folder',
  server: 'a snippet sits inside the site’s own server block',
  listen: 'the platform decides where sites listen',
  server_name: 'the site’s hostnames come from its domains',
  access_log: 'only "access_log off" is allowed: a log path would write files on the host',
  error_log: 'it writes files on the host',
  client_body_temp_path: 'it writes files on the host',
  proxy_temp_path: 'it writes files on the host',
  resolver: 'proxy_pass takes ip:port only, so nothing needs resolving',
  auth_basic_user_file: 'it reads files from the host',
  ssl_certificate: 'certificates are managed by the router',
  ssi: 'server-side includes let site files pull in other content',
};

/** A directive's name family that runs code (`lua_*`, `perl*`, `js_*`…). */
export function runsCode(name: string): boolean {
  return /^(lua|perl|js|content_by|access_by|rewrite_by|header_filter_by|body_filter_by|log_by|init_by|set_by|njs|python|wasm)/.test(name);
}
