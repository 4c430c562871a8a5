import type { SqlCell } from '@dais/shared';

/** How much one console answer may hold. */
export interface AnswerLimits {
  maxRows: number;
  /** Longest value kept as it is; longer ones are cut and end with `…`. */
  maxCellChars: number;
  /** Rough size budget of all cells together, in characters (the answer must stay a few MB). */
  maxAnswerChars: number;
}

/** Defaults for the console: 8 KB per value, 4 MB in all. */
export const CONSOLE_ANSWER_LIMITS: Omit<AnswerLimits, 'maxRows'> = { maxCellChars: 8_192, maxAnswerChars: 4 * 1024 * 1024 };

const ELLIPSIS = '…';
/** Every value keeps at least this much, however wide the row, so a column is never blank. */
const MIN_CELL_CHARS = 64;

/**
 * Gathers the rows of one answer, converting each value to JSON-safe form and stopping at the row
 * limit or the size budget. `add` says when to stop reading: the driver should then close the
 * result instead of fetching the rest.
 */
export class AnswerCollector {
  readonly rows: SqlCell[][] = [];
  /** Set when something was left out: rows past the limit or the budget, or a value cut short. */
  truncated = false;
  private size = 0;

  constructor(private readonly limits: AnswerLimits) {}

  /** Adds a row; false when the answer is full (the row was not added). */
  add(row: readonly unknown[]): boolean {
    if (this.rows.length >= this.limits.maxRows) return this.full();
    // Wide rows get a smaller share per value, so even a 1,600-column row fits the budget.
    const share = Math.max(MIN_CELL_CHARS, Math.floor(this.limits.maxAnswerChars / Math.max(1, row.length)));
    const perCell = Math.min(this.limits.maxCellChars, share);
    const cells = row.map((value) => this.cell(value, perCell));
    const size = cells.reduce<number>((sum, cell) => sum + sizeOf(cell), 0);
    if (this.rows.length > 0 && this.size + size > this.limits.maxAnswerChars) return this.full();
    this.rows.push(cells);
    this.size += size;
    return true;
  }

  private full(): false {
    this.truncated = true;
    return false;
  }

  private cell(value: unknown, maxChars: number): SqlCell {
    // A binary value may be megabytes: convert only the part that is shown.
    if (value instanceof Uint8Array && value.length * 2 + 2 > maxChars)
      return this.cut(String(toJsonSafe(value.subarray(0, (maxChars - 2) >> 1))));
    const safe = toJsonSafe(value);
    if (typeof safe !== 'string' || safe.length <= maxChars) return safe;
    return this.cut(safe.slice(0, maxChars));
  }

  private cut(kept: string): string {
    this.truncated = true;
    return kept + ELLIPSIS;
  }
}

/**
 * One database value as JSON can carry it without loss or surprise: numbers that JSON cannot hold
 * exactly (bigint, NaN, Infinity), bytes (as `0x…` hex) and dates become strings; structures become
 * their JSON text.
 */
export function toJsonSafe(value: unknown): SqlCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return '0x' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  // Drivers never hand over functions or symbols; name the kind rather than guess a value.
  if (typeof value !== 'object') return `[${typeof value}]`;
  try {
    return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  } catch {
    return '[unserializable value]';
  }
}

function sizeOf(cell: SqlCell): number {
  return typeof cell === 'string' ? cell.length + 2 : 8;
}

/**
 * The first keyword of a statement (`SELECT`, `INSERT`, `WITH`…), skipping whitespace, comments and
 * opening parentheses: the command name when the driver does not report one.
 */
export function leadingKeyword(sql: string): string {
  let rest = sql;
  for (;;) {
    const trimmed = rest.replace(/^[\s(]+/, '');
    if (trimmed.startsWith('--') || trimmed.startsWith('#')) rest = trimmed.replace(/^[^\n]*\n?/, '');
    else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/', 2);
      rest = end === -1 ? '' : trimmed.slice(end + 2);
    } else return /^[A-Za-z]+/.exec(trimmed)?.[0]?.toUpperCase() ?? 'SQL';
  }
}
