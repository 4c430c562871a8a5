import { describe, expect, it } from 'vitest';
import { nginxValue, NginxRenderError, renderMapEntries } from './values';

describe('values placed in nginx config', () => {
  it.each(['example.org', 'a.b-c.example', '*.example.org', 'blog.dais.localhost'])('accepts hostname %j', (value) => {
    expect(nginxValue.hostname(value)).toBe(value);
  });

  it.each([
    'Example.org',
    'example.org;',
    'example.org" "x',
    'example.org\n',
    'exa mple.org',
    '$host',
    'example.org{',
    '',
    '-x.org',
    'a..b',
    'x'.repeat(254),
    'a/b',
    "a'b",
  ])('refuses hostname %j', (value) => {
    expect(() => nginxValue.hostname(value)).toThrow(NginxRenderError);
  });

  it.each(['/srv/dais/sites/42/public', '/a', '/a/b.c_d-e'])('accepts path %j', (value) => {
    expect(nginxValue.path(value)).toBe(value);
  });

  it.each(['relative', '/a/../etc', '/a/./b', '/a//b', '/a b', '/a;b', '/a$b', '/a"b', '/a\nb', '/a{b}', '/ä'])(
    'refuses path %j',
    (value) => {
      expect(() => nginxValue.path(value)).toThrow(NginxRenderError);
    },
  );

  it.each(['127.0.0.1:80', '10.1.2.3:65535', '[::1]:8080'])('accepts address %j', (value) => {
    expect(nginxValue.address(value)).toBe(value);
  });

  it.each(['localhost:80', 'orchestrator:7101', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '256.1.1.1:80', '1.2.3.4:80;', ':80'])(
    'refuses address %j',
    (value) => {
      expect(() => nginxValue.address(value)).toThrow(NginxRenderError);
    },
  );

  it('renders map entries sorted and quoted', () => {
    expect(
      renderMapEntries([
        ['b.example', '2'],
        ['a.example', '1'],
      ]),
    ).toBe('"a.example" "1";\n"b.example" "2";\n');
    expect(renderMapEntries([])).toBe('# no entries\n');
  });
});
