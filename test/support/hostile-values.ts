/** Values a careless or hostile client may send in place of a valid one. */
export const HOSTILE_VALUES: readonly unknown[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  true,
  [],
  {},
  [1, 2],
  { nested: { deeper: [null] } },
  '',
  ' ',
  'x'.repeat(100_000),
  '\u0000',
  'a\u0000b',
  '\u202Eevil',
  'ｂｌｏｇ',
  'blog\u200B',
  'e\u0301',
  '🙂',
  '\uD800',
  'line\nbreak',
  '../../etc/passwd',
  '\'; DROP TABLE "Site"; --',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '%00',
  '__proto__',
];

/** Raw bodies that are not the JSON object a route expects. */
export const MALFORMED_BODIES: readonly string[] = [
  '{',
  '{"name":',
  '[]',
  'null',
  '"text"',
  '123',
  '{"a":1,"a":2}',
  '{"__proto__":{"role":"admin"}}',
  '{"constructor":{"prototype":{"role":"admin"}}}',
  '\uFEFF{}',
  `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  'x'.repeat(2 * 1024 * 1024),
];

/**
 * Stand-ins for a numeric id in a path; `{id}` is the id they stand in for. A lenient parser takes
 * a padded number for the number: aimed at the case's own object, such a request can never act on
 * another one (with `1` it revoked token 1, the test's own, and every later request was a 401).
 */
export const HOSTILE_PATH_IDS: readonly string[] = [
  'abc',
  '-1',
  '0',
  '1.5',
  '99999999999999999999',
  '1e3',
  '%00',
  '..%2F..%2Fetc%2Fpasswd',
  '%F0%9F%99%82',
  '%20 {id}',
  'x'.repeat(3000),
];

/** Query strings that break paging and search rules. */
export const HOSTILE_QUERIES: readonly string[] = [
  'limit=abc',
  'limit=-1',
  'limit=0',
  'limit=100000',
  'limit=1e309',
  'limit=1&limit=2',
  'limit[]=1',
  'cursor=x',
  'cursor=-5',
  'cursor=99999999999999999999',
  `search=${'x'.repeat(5000)}`,
  'search=%00',
  'search=%25',
  'siteId=abc',
  'unknown=1',
];
