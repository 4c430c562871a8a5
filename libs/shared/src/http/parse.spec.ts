import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isDaisError } from '../errors/dais-error';
import { parseInput } from './parse';

const schema = z.strictObject({ name: z.string(), tags: z.array(z.string()).optional() });

function refusal(input: unknown) {
  try {
    parseInput(schema, input, 'thing');
  } catch (error) {
    if (isDaisError(error)) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error('accepted');
}

describe('parseInput', () => {
  it('returns the parsed value', () => {
    expect(parseInput(schema, { name: 'ok', tags: ['a'] })).toEqual({ name: 'ok', tags: ['a'] });
  });

  it('names the field and rule of a contract failure', () => {
    expect(refusal({ name: 1 })).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { issues: [{ path: 'name', rule: 'invalid_type' }] },
    });
  });

  it('refuses NUL characters anywhere, naming where, before the contract runs', () => {
    expect(refusal({ name: 'a\0b' })).toMatchObject({ details: { issues: [{ path: 'name', rule: 'nul' }] } });
    expect(refusal({ name: 'ok', tags: ['fine', '\0'] })).toMatchObject({ details: { issues: [{ path: 'tags.1', rule: 'nul' }] } });
    expect(refusal({ name: 'ok', ['x\0']: 1 })).toMatchObject({ details: { issues: [{ path: 'x\0', rule: 'nul' }] } });
    expect(refusal('\0')).toMatchObject({ details: { issues: [{ path: '(body)', rule: 'nul' }] } });
  });
});
