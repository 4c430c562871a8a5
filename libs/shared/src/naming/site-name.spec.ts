import { describe, expect, it } from 'vitest';
import { checkSiteName, siteNameSchema } from './site-name';

describe('site name rules', () => {
  it.each(['ab', 'blog', 'my-site-2', 'a1', 'x'.repeat(32)])('accepts %j', (name) => {
    expect(checkSiteName(name)).toBeNull();
  });

  it.each([
    ['a', 'length'],
    ['x'.repeat(33), 'length'],
    ['', 'length'],
    ['Blog', 'charset'],
    ['my_site', 'charset'],
    ['my site', 'charset'],
    ['site.example', 'charset'],
    ['../etc', 'charset'],
    ['a;reload', 'charset'],
    ['a$host', 'charset'],
    ['a\nb', 'charset'],
    ['блог', 'charset'],
    ['1site', 'start'],
    ['-site', 'start'],
    ['site-', 'end'],
    ['xn--site', 'double-hyphen'],
    ['www', 'reserved'],
    ['admin', 'reserved'],
  ])('rejects %j by rule %s', (name, rule) => {
    expect(checkSiteName(name)?.rule).toBe(rule);
  });

  it('carries the rule and error code in the zod issue', () => {
    const result = siteNameSchema.safeParse('Bad_Name');
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0] as { params?: Record<string, string> } | undefined;
    expect(issue?.params).toEqual({ rule: 'charset', code: 'SITE_NAME_INVALID' });
  });
});
