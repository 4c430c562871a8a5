import { SNIPPET_DIRECTIVES } from '@dais/shared';

/**
 * A seeded generator of nginx snippets for fuzzing the snippet validator: directives snippets
 * may use and ones they may not, with arguments drawn from valid and hostile values, written
 * with every quoting nginx knows (bare, "…", '…', backslashes), comments and braces in odd
 * places, plus raw noise and mutations of known escapes. The same seed gives the same snippets.
 */

/** A small, fast PRNG (mulberry32) so a failing case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const chance = (random: Random, p: number): boolean => random() < p;

/** Snippets that escaped (or tried to escape) a server block with other validators. */
export const KNOWN_ESCAPES = [
  'set $x a#; } server { listen 8080; server_name victim.example; return 200 owned; } server {',
  'add_header X a#; } server { server_name victim.example; location / { return 200 owned; } } server {',
  'set $x "a\\"; } server {"; }',
  "set $x 'a\\'; } server { '; }",
  'set $x a\\; } server { listen 8081; } server { return 204;',
  'set $x ${a}; } server { listen 8082; } server {',
  'location /x { } } server { listen 8083; } server { location /y {',
  '# } \n} server { listen 8084; } server {',
  'return 200 "}"; } server {',
  'if ($host ~ "}") { } } server { listen 8085; } server {',
  'include /etc/nginx/nginx.conf;',
  'set $dais_site_root /;',
  'location ~ ^/(?<dais_site_root>.*)$ { }',
  'location /x { try_files /$arg_f =404; }',
  'rewrite ^ /$arg_f break;',
  'location /x { proxy_pass http://127.0.0.1:5432; }',
  'access_log /tmp/owned.log;',
  'load_module /tmp/evil.so;',
  'content_by_lua_block { os.execute("id") }',
  'add_header X "a\\nInjected: yes";',
];

/** Directives snippets may use, each with arguments that are valid somewhere. */
const GOOD: Record<string, string[][]> = {
  add_header: [
    ['X-Test', 'value'],
    ['Cache-Control', 'public, max-age=60', 'always'],
    ['X-Host', '$host'],
    ['X-Q', 'a "quoted" ${host}'],
  ],
  expires: [['1h'], ['off'], ['modified', '7d'], ['-1'], ['max'], ['999999y'], ['-999999M']],
  etag: [['off']],
  if_modified_since: [['exact']],
  charset: [['utf-8']],
  default_type: [['text/plain']],
  return: [['204'], ['200', 'ok $request_id'], ['301', 'https://$host$request_uri'], ['https://example.org/'], ['444']],
  rewrite: [
    ['^/old/(.*)$', '/new/$1', 'permanent'],
    ['^/a$', '/b', 'last'],
    ['^/p/(\\d+)$', '/index.php?p=$1', 'break'],
    ['^', 'https://example.org$request_uri'],
  ],
  set: [
    ['$x', 'a'],
    ['$myvar', '$host'],
    ['$t', '${host}-$1'],
    ['$Up', '$HOST$up'],
  ],
  break: [[]],
  allow: [['all'], ['10.0.0.0/8'], ['2001:db8::/32']],
  deny: [['all'], ['192.168.1.1']],
  try_files: [
    ['$uri', '$uri/', '/index.html'],
    ['$uri', '=404'],
    ['$uri', '@fallback'],
    ['/maintenance.html', '$uri', '/index.php?$args'],
  ],
  index: [['index.html'], ['index.php', 'index.html']],
  autoindex: [['on']],
  autoindex_format: [['json']],
  error_page: [
    ['404', '/404.html'],
    ['500', '502', '=200', '/x.html'],
    ['404', '@fallback'],
    ['403', 'https://example.org/'],
    ['404', '=', '/y'],
  ],
  internal: [[]],
  gzip: [['on']],
  gzip_types: [['text/css', 'application/json'], ['*']],
  gzip_comp_level: [['5']],
  gzip_min_length: [['256'], ['999999g']],
  gzip_vary: [['on']],
  gzip_proxied: [['any'], ['expired', 'no-cache']],
  limit_rate: [['100k'], ['999999g'], ['0']],
  limit_rate_after: [['1m'], ['999999G']],
  client_max_body_size: [['10m'], ['999999g'], ['0']],
  client_body_timeout: [['30s'], ['999999w']],
  send_timeout: [['30s'], ['999999ms']],
  keepalive_timeout: [['10s'], ['999999d'], ['0']],
  log_not_found: [['off']],
  access_log: [['off']],
  proxy_pass: [['http://$dais_site_upstream'], ['http://10.1.2.3:8080'], ['https://[2001:db8::1]:8443']],
  proxy_read_timeout: [['1h'], ['999999h']],
  proxy_buffering: [['off']],
  proxy_redirect: [['off']],
  proxy_hide_header: [['X-Powered-By']],
  proxy_set_header: [
    ['X-Test', '$host'],
    ['X-Empty', ''],
  ],
};
const BLOCKS: Record<string, string[][]> = {
  location: [
    ['/api/'],
    ['=', '/health'],
    ['~*', '\\.(css|js)$'],
    ['^~', '/static/'],
    ['@fallback'],
    ['~', '^/(a|b)/[0-9]{2,4}$'],
    ['/files/'],
  ],
  if: [
    ['($request_method', '=', 'POST)'],
    ['($http_x_debug)'],
    ['($arg_a', '~*', '^(x|y)+$)'],
    ['(', '$host', '!=', 'a b', ')'],
    ['($1)'],
    ['($arg_x', '=', '${1}$1)'],
  ],
  limit_except: [['GET'], ['GET', 'POST']],
};
// prettier-ignore
const HOSTILE_DIRECTIVES = [
  'include', 'root', 'alias', 'server', 'listen', 'server_name', 'load_module', 'error_log', 'lua_code_cache', 'perl', 'ssi',
  'resolver', 'client_body_temp_path', 'ssl_certificate', 'ssl_reject_handshake', 'x',
];
// prettier-ignore
const VALUES = [
  'on', 'off', '0', '999999', '999999y', '999999M', '999999w', '999999ms', '999999g', '1y', '5M', '99999999', '-1',
  '30s', '500ms', 'max', 'modified', 'always', '200', '404', '499', '600', '=404', '=', '@fallback', 'last', 'GET',
  'all', '::1', '300.1.1.1', '10.0.0.0/33', 'text/css', '*', 'X-Real-IP', 'Host', '/', '/a', '/index.php?$args', '/../etc/passwd',
  '/a/./b', '/__dais/x', '$uri/..', '/$arg_f', '/x$uri', '~', '^~', '(', '[z-a]', 'a**', '(?<x>a)', 'a{', '[^/]+',
  'http://127.0.0.1:6379', 'http://backend', 'http://$http_host', 'http://169.254.169.254', '$host', '$1', '$nope',
  '$document_root', '$dais_site_root', '$dais_site_kind', '${host}', '${ho', '$', '${1}', '$1x', 'hello world', 'a;b', 'a{b', 'a}b',
  'a#b', '#', 'a"b', "a'b", 'a\\b', ')', '($host', '-f', '"', '', 'x'.repeat(70), 'é', 'a\tb', 'a\nb', 'a\\tb', 'a\\nb',
];
const NOISE = [
  ' ',
  ' ',
  ' ',
  '\n',
  '\t',
  ';',
  ';',
  '{',
  '}',
  '"',
  "'",
  '\\',
  '#',
  '$',
  '(',
  ')',
  'a',
  'x',
  '1',
  '/',
  '=',
  'set',
  'return',
  'location',
  'server',
  '\r',
];

/** Writes a value in one of nginx's quotings (and sometimes in a way nginx reads differently). */
function write(random: Random, value: string): string {
  const roll = random();
  if (roll < 0.5) return value;
  if (roll < 0.8) return `"${value.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
  if (roll < 0.95) return `'${value.replace(/['\\]/g, (ch) => `\\${ch}`)}'`;
  return value.replace(/[ ;{}"'#]/g, (ch) => `\\${ch}`);
}

function args(random: Random, choices: readonly string[][] | undefined): string[] {
  if (choices && chance(random, 0.8)) {
    const chosen = [...pick(random, choices)];
    // Now and then one argument is swapped for a hostile one.
    if (chosen.length > 0 && chance(random, 0.15)) chosen[Math.floor(random() * chosen.length)] = pick(random, VALUES);
    return chosen;
  }
  return Array.from({ length: Math.floor(random() * 4) }, () => pick(random, VALUES));
}

type Context = 'server' | 'location' | 'server-if' | 'location-if' | 'limit-except';
const OPENS: Record<string, (parent: Context) => Context> = {
  location: () => 'location',
  if: (parent) => (parent === 'server' ? 'server-if' : 'location-if'),
  limit_except: () => 'limit-except',
};

/** Mostly directives nginx allows in `context` (so most snippets get past the context rules). */
function directiveFor(random: Random, context: Context): string {
  if (chance(random, 0.1)) return pick(random, HOSTILE_DIRECTIVES);
  const fitting = Object.keys(GOOD).filter((name) => SNIPPET_DIRECTIVES[name]?.contexts.includes(context));
  return fitting.length > 0 && chance(random, 0.85) ? pick(random, fitting) : pick(random, Object.keys(GOOD));
}

function statement(random: Random, context: Context, depth: number): string {
  const separator = (): string => pick(random, [' ', ' ', '  ', '\t', '\n']);
  const blocks = Object.keys(BLOCKS).filter((name) => SNIPPET_DIRECTIVES[name]?.contexts.includes(context) || chance(random, 0.1));
  if (depth < 2 && blocks.length > 0 && chance(random, 0.25)) {
    const name = pick(random, blocks);
    const words = args(random, BLOCKS[name]).map((value) => (name === 'if' ? value : write(random, value)));
    const inner = OPENS[name]?.(context) ?? 'location';
    return `${[name, ...words].join(separator())} {${block(random, inner, depth + 1)}}`;
  }
  const name = directiveFor(random, context);
  const words = args(random, GOOD[name]).map((value) => write(random, value));
  return `${[name, ...words].join(separator())};${chance(random, 0.1) ? ' # a note; } server {\n' : ''}`;
}

function block(random: Random, context: Context, depth: number): string {
  const count = 1 + Math.floor(random() * 3);
  return Array.from({ length: count }, () => statement(random, context, depth)).join(pick(random, [' ', '\n', '\n  ']));
}

/** Random edits of a snippet: characters nginx treats as syntax, inserted, deleted or replaced. */
function mutate(random: Random, text: string): string {
  let result = text;
  const edits = 1 + Math.floor(random() * 4);
  for (let edit = 0; edit < edits; edit++) {
    const at = Math.floor(random() * (result.length + 1));
    const roll = random();
    if (roll < 0.5) result = result.slice(0, at) + pick(random, NOISE) + result.slice(at);
    else if (roll < 0.75) result = result.slice(0, at) + result.slice(at + 1);
    else result = result.slice(0, at) + pick(random, NOISE) + result.slice(at + 1);
  }
  return result;
}

/** The `index`-th snippet of the run seeded with `seed`. */
export function generateSnippet(seed: number, index: number): string {
  const random = seededRandom(seed * 1_000_003 + index);
  const roll = random();
  if (roll < 0.6) return block(random, 'server', 0);
  if (roll < 0.75) return mutate(random, block(random, 'server', 0));
  if (roll < 0.9) return mutate(random, pick(random, KNOWN_ESCAPES));
  return Array.from({ length: 5 + Math.floor(random() * 30) }, () => pick(random, NOISE)).join('');
}
