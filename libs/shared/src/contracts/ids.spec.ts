import { describe, expect, it } from 'vitest';
import { isDaisError } from '../errors/dais-error';
import { parseInput } from '../http/parse';
import { idSchema, MAX_ID, pathIdSchema, pathIdsSchema, queryIntegerSchema } from './ids';

/** Every other way to write 7 that `Number()` reads as 7, and its full-width digit. */
const SEVEN_MISSPELLED = [
  ' 7',
  '7 ',
  '\t7',
  '7\n',
  '\u00a07',
  '\ufeff7',
  '+7',
  '07',
  '007',
  '7.0',
  '7.',
  '7e0',
  '0.7e1',
  '0x7',
  '0o7',
  '0b111',
  '７',
];

describe('ids in paths and query strings', () => {
  it('reads plain digits from 1 to the largest integer id', () => {
    for (const [text, id] of [
      ['1', 1],
      ['42', 42],
      [String(MAX_ID), MAX_ID],
    ] as const)
      expect(pathIdSchema.parse(text)).toBe(id);
  });

  it.each(SEVEN_MISSPELLED)('refuses %j, which Number() reads as 7', (text) => {
    expect(pathIdSchema.safeParse(text).success).toBe(false);
  });

  it.each(['', '0', '-1', String(MAX_ID + 1), '99999999999', 'abc', 'Infinity', 'NaN', '1_000'])('refuses %j', (text) => {
    expect(pathIdSchema.safeParse(text).success).toBe(false);
  });

  it('refuses what is not a string (a repeated query key arrives as an array)', () => {
    for (const value of [7, ['7'], ['7', '8'], { 0: '7' }, null, undefined]) expect(pathIdSchema.safeParse(value).success).toBe(false);
  });

  it('answers 400 VALIDATION_FAILED naming the parameter at fault', () => {
    const params = pathIdsSchema('id', 'domainId');
    expect(parseInput(params, { id: '3', domainId: '9' }, 'path')).toEqual({ id: 3, domainId: 9 });
    try {
      parseInput(params, { id: '3', domainId: ' 9' }, 'path');
      expect.fail('a padded id was accepted');
    } catch (error) {
      if (!isDaisError(error)) throw error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(/^Invalid path: domainId: must be a positive whole number in plain digits/);
      expect(error.details).toMatchObject({ issues: [{ path: 'domainId', rule: 'invalid_format' }] });
    }
  });

  it('refuses parameters a route does not have', () => {
    expect(pathIdsSchema('id').safeParse({ id: '1', other: '2' }).success).toBe(false);
  });
});

describe('whole numbers in query strings', () => {
  const limit = queryIntegerSchema(1, 200).default(50);

  it('reads plain digits within the range, and the default when absent', () => {
    expect(limit.parse('1')).toBe(1);
    expect(limit.parse('200')).toBe(200);
    expect(limit.parse(undefined)).toBe(50);
    expect(queryIntegerSchema(0, 10).parse('0')).toBe(0);
  });

  it.each([...SEVEN_MISSPELLED, '', '-0', '00'])('refuses %j', (text) => {
    expect(limit.safeParse(text).success).toBe(false);
  });

  it('reads sizes up to the largest safe integer', () => {
    const size = queryIntegerSchema(0, Number.MAX_SAFE_INTEGER);
    expect(size.parse(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(size.safeParse('9007199254740992').success).toBe(false);
    expect(size.safeParse('99999999999999999').success).toBe(false);
  });

  it('says which bound a number breaks', () => {
    expect(limit.safeParse('0').error?.issues[0]?.message).toBe('must be at least 1');
    expect(limit.safeParse('201').error?.issues[0]?.message).toBe('must be at most 200');
  });
});

describe('ids in JSON bodies', () => {
  it('are numbers, never strings, booleans or arrays coerced into one', () => {
    expect(idSchema.parse(7)).toBe(7);
    for (const value of ['7', ' 7', true, [7], 7.5, 0, -7, MAX_ID + 1, Number.NaN, null])
      expect(idSchema.safeParse(value).success).toBe(false);
  });
});
