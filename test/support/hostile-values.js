"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.HOSTILE_QUERIES = exports.HOSTILE_PATH_IDS = exports.MALFORMED_BODIES = exports.HOSTILE_VALUES = void 0;
exports.lenientSpellingsOf = lenientSpellingsOf;
/** Values a careless or hostile client may send in place of a valid one. */
exports.HOSTILE_VALUES = [
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
exports.MALFORMED_BODIES = [
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
/** Stand-ins for a numeric id in a path that name no object at all. */
exports.HOSTILE_PATH_IDS = [
    'abc',
    '-1',
    '0',
    '1.5',
    '99999999999999999999',
    '1e3',
    '2147483648',
    '%00',
    '..%2F..%2Fetc%2Fpasswd',
    '%F0%9F%99%82',
    'x'.repeat(3000),
];
/**
 * Other spellings of the id `id`, percent-encoded as they go in a URL: those JavaScript's `Number()`
 * reads as `id` itself (`Number(' 7')`, `Number('0x7')`, `Number('7e0')` are all 7) and the
 * full-width digits a Unicode normalisation would turn into it. A route must refuse every one with
 * 400: only the plain digits name the object.
 */
function lenientSpellingsOf(id) {
    const digits = String(id);
    const fullWidth = digits.replace(/[0-9]/g, (digit) => String.fromCharCode(0xff10 + Number(digit)));
    return [
        `%20${digits}`,
        `${digits}%20`,
        `%09${digits}`,
        `${digits}%0A`,
        `%C2%A0${digits}`,
        `%EF%BB%BF${digits}`,
        `+${digits}`,
        `0${digits}`,
        `${digits}.0`,
        `${digits}e0`,
        `0x${id.toString(16)}`,
        `0o${id.toString(8)}`,
        `0b${id.toString(2)}`,
        encodeURIComponent(fullWidth),
    ];
}
/** Query strings that break paging and search rules. */
exports.HOSTILE_QUERIES = [
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
//# sourceMappingURL=hostile-values.js.map