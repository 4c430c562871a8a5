import type { z } from 'zod';
import { validationError } from '../errors/zod-error';

/** Parses input with a contract schema, throwing a 400 DaisError that names each failed rule. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error, what);
  return result.data;
}
