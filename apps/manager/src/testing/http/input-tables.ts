import { parse } from 'node:querystring';
import { DaisError } from '@dais/shared';
import { expect, type Mock } from 'vitest';
import { HOSTILE_PATH_IDS, HOSTILE_QUERIES, HOSTILE_VALUES, lenientSpellingsOf } from './hostile-values';

/** What a route made of one input: `accepted`, or the code of the error it was refused with. */
export type Outcome = string;

/** Which values of a field a route accepted, and the codes it refused the others with. */
export interface FieldOutcomes {
  accepted: string[];
  refusedWith: string[];
}

/** A short, stable name for a value in a table (long strings are cut). */
export function labelOf(value: unknown): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value);
  return text.length > 24 ? `${text.slice(0, 20)}…(${text.length})` : text;
}

/**
 * Runs one call and checks the rules every route keeps: a refusal is a coded 4xx (anything else
 * would be a 500) and reached no service (no partial write); an acceptance reached it exactly once.
 */
export async function outcomeOf(call: () => unknown, reached: Mock): Promise<Outcome> {
  reached.mockClear();
  try {
    await call();
  } catch (error) {
    if (!(error instanceof DaisError)) throw error;
    expect(error.status, `${error.code}: ${error.message}`).toBeGreaterThanOrEqual(400);
    expect(error.status, `${error.code}: ${error.message}`).toBeLessThan(500);
    expect(reached, `refused with ${error.code} after the service was called`).not.toHaveBeenCalled();
    return error.code;
  }
  expect(reached, 'accepted without calling the service').toHaveBeenCalledTimes(1);
  return 'accepted';
}

function summarise(outcomes: [string, Outcome][]): FieldOutcomes {
  return {
    accepted: outcomes.filter(([, outcome]) => outcome === 'accepted').map(([label]) => label),
    refusedWith: [...new Set(outcomes.map(([, outcome]) => outcome).filter((outcome) => outcome !== 'accepted'))].sort(),
  };
}

/** Bodies that are not the JSON object a route expects (what a JSON parser makes of them). */
const NOT_OBJECTS: readonly unknown[] = [null, [], 'text', 123, true];

/**
 * The table of a body's fields: for each field, the valid body with the field missing and with each
 * hostile value in its place; then the body replaced by non-objects and given an unknown field.
 */
export async function bodyTable(
  valid: Record<string, unknown>,
  send: (body: unknown) => unknown,
  reached: Mock,
): Promise<Record<string, FieldOutcomes>> {
  expect(await outcomeOf(() => send(valid), reached), 'the valid body of the table').toBe('accepted');
  const table: Record<string, FieldOutcomes> = {};
  for (const field of Object.keys(valid)) {
    const outcomes: [string, Outcome][] = [];
    for (const value of [undefined, ...HOSTILE_VALUES]) {
      const body =
        value === undefined ? Object.fromEntries(Object.entries(valid).filter(([key]) => key !== field)) : { ...valid, [field]: value };
      outcomes.push([labelOf(value), await outcomeOf(() => send(body), reached)]);
    }
    table[field] = summarise(outcomes);
  }
  const whole: [string, Outcome][] = [];
  for (const body of NOT_OBJECTS) whole.push([labelOf(body), await outcomeOf(() => send(body), reached)]);
  whole.push(['unknown field isAdmin', await outcomeOf(() => send({ ...valid, isAdmin: true }), reached)]);
  table['(body)'] = summarise(whole);
  return table;
}

/** Each hostile query string, parsed as the HTTP layer parses it, and what the route made of it. */
export async function queryTable(send: (query: unknown) => unknown, reached: Mock): Promise<Record<string, Outcome>> {
  const table: Record<string, Outcome> = {};
  for (const query of HOSTILE_QUERIES) table[labelOf(query)] = await outcomeOf(() => send({ ...parse(query) }), reached);
  return table;
}

/**
 * Path ids that must all be refused with 400: ids naming nothing, and other spellings of the id 7
 * that a lenient parser would read as 7 (decoded, as the router hands them over).
 */
export const BROKEN_PATH_IDS: readonly string[] = [...HOSTILE_PATH_IDS, ...lenientSpellingsOf(7)].map((id) => decodeURIComponent(id));

/** Checks that every broken spelling of a path id is refused with VALIDATION_FAILED, and the plain `7` accepted. */
export async function expectPathIdChecked(send: (id: string) => unknown, reached: Mock): Promise<void> {
  const wrong: string[] = [];
  for (const id of BROKEN_PATH_IDS) {
    const outcome = await outcomeOf(() => send(id), reached);
    if (outcome !== 'VALIDATION_FAILED') wrong.push(`${labelOf(id)}: ${outcome}`);
  }
  expect(wrong).toEqual([]);
  expect(await outcomeOf(() => send('7'), reached)).toBe('accepted');
}
