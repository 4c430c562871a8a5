import { describe, expect, it } from 'vitest';
import { checkNginxSnippet, NginxSnippetError, renderNginxSnippet } from './nginx-snippet';

const refusal = (text: string) => {
  const check = checkNginxSnippet(text);
  if (check.ok) throw new Error(`accepted: ${JSON.stringify(check.lines)}`);
  return check;
};

describe('checkNginxSnippet', () => {
  it.each([
    ['add_header X-Frame-Options DENY;', ['add_header X-Frame-Options DENY;']],
    ['# caching\nexpires 1h; # an hour', ['expires 1h;']],
    [
      'location ~* \\.(css|js)$ {\n  expires 7d;\n  add_header Cache-Control "public, max-age=604800" always;\n}',
      ['location ~* "\\\\.(css|js)$" {', '    expires 7d;', '    add_header Cache-Control "public, max-age=604800" always;', '}'],
    ],
    ['location =/health { return 200 "ok"; }', ['location = /health {', '    return 200 ok;', '}']],
    ['if ( $request_method = "POST" ) { return 405; }', ['if ($request_method = POST) {', '    return 405;', '}']],
    ['if ($http_x_debug) { return 403; }', ['if ($http_x_debug) {', '    return 403;', '}']],
    ["if ($args ~ 'a b') { return 400; }", ['if ($args ~ "a b") {', '    return 400;', '}']],
    ['return 301 https://$host$request_uri;', ['return 301 https://$host$request_uri;']],
    ['rewrite ^/old/(.*)$ /new/$1 permanent;', ['rewrite ^/old/(.*)$ /new/$1 permanent;']],
    ['rewrite ^/p/(\\d+)$ /index.php?page=$1 last;', ['rewrite "^/p/(\\\\d+)$" /index.php?page=$1 last;']],
    ['location /app/ { try_files $uri $uri/ /app/index.html; }', ['location /app/ {', '    try_files $uri $uri/ /app/index.html;', '}']],
    ['set $greeting "hello"; add_header X-Greeting $greeting;', ['set $greeting hello;', 'add_header X-Greeting $greeting;']],
    ['add_header X ${host}x;', ['add_header X "${host}x";']],
    ['set $Greeting hi; add_header X-Host $HOST$greeting;', ['set $Greeting hi;', 'add_header X-Host $HOST$greeting;']],
    ["add_header X 'it\\'s \"quoted\" \\\\';", ['add_header X "it\'s \\"quoted\\" \\\\";']],
    [
      'location /api/ { proxy_pass http://$dais_site_upstream; proxy_read_timeout 1h; }',
      ['location /api/ {', '    proxy_pass http://$dais_site_upstream;', '    proxy_read_timeout 1h;', '}'],
    ],
    [
      'location /admin/ { limit_except GET { deny all; } allow 10.0.0.0/8; deny all; }',
      ['location /admin/ {', '    limit_except GET {', '        deny all;', '    }', '    allow 10.0.0.0/8;', '    deny all;', '}'],
    ],
    ['location = /é { return 200 "é"; }', ['location = "/é" {', '    return 200 "é";', '}']],
    ['', []],
  ])('accepts %j and renders it canonically', (text, lines) => {
    expect(checkNginxSnippet(text)).toEqual({ ok: true, lines });
  });

  it.each([
    ['set $x a#; }', 'block', 'would close the site’s server block'],
    ['set $x a#; } server { listen 8080; server_name victim.example; return 200 owned; } server {', 'block', 'would close'],
    ['}', 'block', 'would close'],
    ['location /x { return 204;', 'block', 'never closed'],
    ['add_header X "a;', 'syntax', 'unexpected end'],
    ['add_header X "a"b;', 'syntax', 'unexpected "b"'],
    ['return 204;;', 'syntax', 'unexpected ";"'],
    ['include /etc/passwd;', 'directive', 'reads files from the host'],
    ['load_module /tmp/evil.so;', 'directive', 'loads code'],
    ['content_by_lua_block { ngx.say(1); }', 'directive', 'runs code'],
    ['perl_modules /tmp;', 'directive', 'runs code'],
    ['root /etc;', 'directive', 'public/ folder'],
    ['location /x { alias /etc/; }', 'directive', 'public/ folder'],
    ['access_log /tmp/log;', 'arguments', 'is not one of off'],
    ['error_log /tmp/log;', 'directive', 'writes files'],
    ['client_body_temp_path /tmp;', 'directive', 'writes files'],
    ['server { }', 'directive', 'inside the site’s own server block'],
    ['no_such_directive on;', 'directive', 'is not a directive snippets may use'],
    ['constructor x;', 'directive', 'is not a directive'],
    ['location /x { proxy_pass http://backend.internal; }', 'arguments', 'no hostnames'],
    ['location /x { proxy_pass http://127.0.0.1:6379; }', 'arguments', 'this host'],
    ['location /x { proxy_pass http://169.254.169.254; }', 'arguments', 'link-local'],
    ['location /x { proxy_pass http://[::1]:80; }', 'arguments', 'this host'],
    ['location /x { proxy_pass http://$http_host; }', 'arguments', 'no hostnames'],
    ['set $dais_site_root /;', 'arguments', 'belongs to the platform'],
    ['set $uri /x;', 'arguments', "nginx's own variables"],
    ['set $a_very_long_variable_name_over_32_chars 1;', 'arguments', 'at most 32'],
    ['location ~ ^/(?<dais_site_root>.*)$ { }', 'arguments', 'named groups'],
    ['location /x { try_files /$arg_f =404; }', 'arguments', 'request data'],
    ['rewrite ^ /$arg_f break;', 'arguments', 'request data'],
    ['rewrite ^/(.*)$ /files/$1 last;', 'arguments', 'request data'],
    ['location /x { try_files $uri/../secret =404; }', 'arguments', 'no "." or ".." parts'],
    ['error_page 404 /$http_x;', 'arguments', 'request data'],
    ['add_header X $document_root;', 'arguments', 'may not be used'],
    ['add_header X $dais_site_root;', 'arguments', 'may not be used'],
    ['add_header X $nope;', 'arguments', 'unknown variable'],
    ['return 200 "${1}";', 'arguments', 'must be followed by a variable name'],
    ['if ($1) { return 204; }', 'arguments', 'a condition must be'],
    ['if ($2x = a) { return 204; }', 'arguments', 'a condition must be'],
    ['add_header X "cost: 5$";', 'arguments', 'must start a variable name'],
    ['add_header X "a\\nInjected: 1";', 'characters', 'control character'],
    ['add_header X\x01 y;', 'characters', 'control characters'],
    ['location / { }', 'arguments', 'belongs to the platform'],
    ['location = /__dais/not-found.html { return 200; }', 'arguments', 'belongs to the platform'],
    ['location /a { } location ^~ /a { }', 'duplicate', 'defined twice'],
    ['expires 1h; expires 2h;', 'duplicate', 'twice'],
    ['location /a { location /a/b { } }', 'context', 'inside a location'],
    ['if ($host) { add_header X y; }', 'context', 'inside an "if" at the top'],
    ['index index.php;', 'context', 'at the top of a snippet'],
    ['client_max_body_size 10m;', 'context', 'at the top'],
    ['if (-f /etc/passwd) { return 200; }', 'arguments', 'file checks'],
    ['if ($host ~ "(") { return 200; }', 'arguments', 'never closed'],
    ['location ~ [z-a] { }', 'arguments', 'out of order'],
    ['location ~ a** { }', 'arguments', 'repeats a repetition'],
    ['expires 10 years;', 'arguments', 'takes off, epoch'],
    ['keepalive_timeout 1y;', 'arguments', 'a duration'],
    ['send_timeout 5M;', 'arguments', 'a duration'],
    ['limit_rate 1g;', 'arguments', 'a size such as 512, 64k or 10m'],
    ['gzip_types application/a-very-long-mime-type-that-overflows-the-hash;', 'arguments', 'MIME type'],
    ['location /x;', 'block', 'needs a { … } block'],
    ['add_header X y { }', 'block', 'takes no { … } block'],
  ])('refuses %j (rule %s)', (text, rule, message) => {
    const check = refusal(text);
    expect(check.rule).toBe(rule);
    expect(check.message).toContain(message);
    expect(check.message).toMatch(/^line \d+: /);
  });

  it('names the line of the refused directive', () => {
    expect(refusal('expires 1h;\n\n  include x;').line).toBe(3);
  });

  it('renders a checked snippet, or throws NginxSnippetError with the line and rule', () => {
    expect(renderNginxSnippet('gzip on;')).toEqual(['gzip on;']);
    expect(() => renderNginxSnippet('include x;')).toThrow(NginxSnippetError);
  });
});
