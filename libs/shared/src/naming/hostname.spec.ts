import { describe, expect, it } from 'vitest';
import { hostnameSchema, normalizeHostname } from './hostname';

describe('hostname rules', () => {
  it.each([
    ['example.org', 'example.org'],
    ['WWW.Example.ORG', 'www.example.org'],
    ['example.org.', 'example.org'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['a-b.c-d.example', 'a-b.c-d.example'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeHostname(input)).toEqual({ ok: true, hostname: expected });
  });

  it.each([
    ['', 'length'],
    ['a'.repeat(250) + '.org', 'length'],
    ['example', 'labels'],
    ['exa mple.org', 'charset'],
    ['example.org:8080', 'charset'],
    ['example.org/path', 'charset'],
    ['user@example.org', 'charset'],
    ['[::1]', 'charset'],
    ['example.org\0', 'charset'],
    ['example.org\n', 'charset'],
    ['*.example.org', 'wildcard'],
    ['a.*.example.org', 'wildcard'],
    ['127.0.0.1', 'ip-literal'],
    ['-bad.example.org', 'label-charset'],
    ['bad-.example.org', 'label-charset'],
    ['ex_ample.org', 'label-charset'],
    ['a..b.org', 'label-length'],
    ['x'.repeat(64) + '.org', 'label-length'],
    ['example.org;return', 'label-charset'],
    ['example.org{', 'label-charset'],
    ['"example.org', 'label-charset'],
    ["example.org'", 'label-charset'],
  ])('rejects %j by rule %s', (input, rule) => {
    const result = normalizeHostname(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rule).toBe(rule);
  });

  it('allows a wildcard first label only when asked', () => {
    expect(normalizeHostname('*.example.org', { allowWildcard: true })).toEqual({ ok: true, hostname: '*.example.org' });
  });

  it('allows single-label names when minLabels is 1 (the sites domain "localhost")', () => {
    expect(normalizeHostname('localhost', { minLabels: 1 })).toEqual({ ok: true, hostname: 'localhost' });
  });

  it('outputs only characters that are safe in nginx config', () => {
    const schema = hostnameSchema();
    for (const input of ['Ünïcödé.example', 'MIXED.case.Example', 'xn--bcher-kva.example']) {
      expect(schema.parse(input)).toMatch(/^[a-z0-9.-]+$/);
    }
  });
});
