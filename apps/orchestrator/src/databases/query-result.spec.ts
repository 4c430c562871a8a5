import { describe, expect, it } from 'vitest';
import { AnswerCollector, leadingKeyword, toJsonSafe } from './query-result';

const collector = (overrides: Partial<ConstructorParameters<typeof AnswerCollector>[0]> = {}) =>
  new AnswerCollector({ maxRows: 3, maxCellChars: 10, maxAnswerChars: 1_000, ...overrides });

describe('toJsonSafe', () => {
  it.each([
    [null, null],
    [undefined, null],
    ['text', 'text'],
    [true, true],
    [42, 42],
    [1.5, 1.5],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [12345678901234567890n, '12345678901234567890'],
    [Buffer.from([0xde, 0xad, 0xbe, 0xef]), '0xdeadbeef'],
    [new Date('2024-01-02T03:04:05.000Z'), '2024-01-02T03:04:05.000Z'],
    [{ big: 1n, list: [1, 'a'] }, '{"big":"1","list":[1,"a"]}'],
  ])('turns %o into %o', (value, expected) => {
    expect(toJsonSafe(value)).toEqual(expected);
  });
});

describe('AnswerCollector', () => {
  it('keeps rows up to the limit and says so when there were more', () => {
    const answer = collector();
    expect([1, 2, 3].map((n) => answer.add([n]))).toEqual([true, true, true]);
    expect(answer.truncated).toBe(false);
    expect(answer.add([4])).toBe(false);
    expect(answer.rows).toEqual([[1], [2], [3]]);
    expect(answer.truncated).toBe(true);
  });

  it('cuts long values, marking them with … and the answer as truncated', () => {
    const answer = collector();
    answer.add(['x'.repeat(10), 'y'.repeat(11)]);
    expect(answer.rows[0]).toEqual(['x'.repeat(10), `${'y'.repeat(10)}…`]);
    expect(answer.truncated).toBe(true);
  });

  it('converts only the shown part of a large binary value', () => {
    const answer = collector({ maxCellChars: 64 });
    answer.add([Buffer.alloc(1_000_000, 0xab)]);
    expect(answer.rows[0]?.[0]).toBe(`0x${'ab'.repeat(31)}…`);
    expect(answer.truncated).toBe(true);
  });

  it('stops adding rows once the size budget is spent, but always keeps the first row', () => {
    const answer = new AnswerCollector({ maxRows: 100, maxCellChars: 500, maxAnswerChars: 1_000 });
    expect(answer.add(['a'.repeat(400)])).toBe(true);
    expect(answer.add(['b'.repeat(400)])).toBe(true);
    expect(answer.add(['c'.repeat(400)])).toBe(false);
    expect(answer.rows).toHaveLength(2);
    expect(answer.truncated).toBe(true);
  });

  it('gives each value of a wide row a smaller share so the row fits the budget', () => {
    const answer = new AnswerCollector({ maxRows: 10, maxCellChars: 8_192, maxAnswerChars: 100 * 1_000 });
    answer.add(Array.from({ length: 1_000 }, () => 'z'.repeat(1_000)));
    const size = (answer.rows[0] ?? []).reduce<number>((sum, cell) => sum + String(cell).length, 0);
    expect(size).toBeLessThanOrEqual(101_000);
    expect(answer.rows[0]?.[0]).toBe(`${'z'.repeat(100)}…`);
  });
});

describe('leadingKeyword', () => {
  it.each([
    ['select 1', 'SELECT'],
    ['  \n  insert into t values (1)', 'INSERT'],
    ['-- a comment\nupdate t set a = 1', 'UPDATE'],
    ['# mysql comment\ndelete from t', 'DELETE'],
    ['/* block */ (select 1)', 'SELECT'],
    ['with x as (select 1) select * from x', 'WITH'],
    ['-- only a comment', 'SQL'],
    ['/* unterminated', 'SQL'],
  ])('%j → %s', (sql, keyword) => {
    expect(leadingKeyword(sql)).toBe(keyword);
  });
});
