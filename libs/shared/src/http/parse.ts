import type { z } from 'zod';
import { DaisError } from '../errors/dais-error';
import { validationError } from '../errors/zod-error';

/** Deepest input walked looking for NUL characters (contracts are far shallower). */
const MAX_DEPTH = 32;

/**
 * The path of the first string holding a NUL character, or null. No contract accepts one, and
 * PostgreSQL cannot store one in text, so it is refused for every field before anything else.
 */
function pathOfNul(value: unknown, path: string[] = [], depth = 0): string[] | null {
  if (typeof value === 'string') return value.includes('\0') ? path : null;
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const found = key.includes('\0') ? [...path, key] : pathOfNul(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** Parses input with a contract schema, throwing a 400 DaisError that names each failed rule. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.output<S> {
  const nul = pathOfNul(input);
  if (nul) {
    const path = nul.join('.') || '(body)';
    throw new DaisError('VALIDATION_FAILED', `Invalid ${what}: ${path}: must not contain NUL characters`, {
      issues: [{ path, rule: 'nul', message: 'must not contain NUL characters' }],
    });
  }
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error, what);
  return result.data;
}
