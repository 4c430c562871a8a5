import { errorBodySchema, MAX_ID, operationViewSchema } from '@dais/shared';
import { z } from 'zod';

/** A path item of the OpenAPI document (loosely typed: the golden file checks the result). */
export type PathItems = Record<string, Record<string, unknown>>;

/** A JSON body described by a zod contract: `input` for requests, `output` for answers. */
export const json = (schema: z.ZodType, io: 'input' | 'output') => ({
  'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) },
});

export const body = (schema: z.ZodType) => ({ required: true, content: json(schema, 'input') });
export const error = (description: string) => ({ description, content: json(errorBodySchema, 'output') });
export const ok = (description: string, schema: z.ZodType) => ({ description, content: json(schema, 'output') });
export const noContent = (description: string) => ({ '204': { description } });

/** Path parameters, all positive integer ids in plain digits (`pathIdSchema`). */
export const ids = (...names: [name: string, what: string][]) =>
  names.map(([name, what]) => ({
    name,
    in: 'path',
    required: true,
    description: `The ${what}'s id.`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_ID },
  }));

/**
 * Query parameters from a zod object, one per field. A number arrives as text that the contract
 * checks and turns into a number: OpenAPI calls such a parameter an integer, so it is described by
 * what it becomes (range, default).
 */
export function queryParameters(schema: z.ZodObject): Record<string, unknown>[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const input = z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' });
    const output = z.toJSONSchema(field as z.ZodType, { io: 'output', unrepresentable: 'any' });
    const described = input.type === 'string' && output.type === 'integer' ? output : input;
    return { name, in: 'query', required: false, schema: described };
  });
}

/** Answers every signed-in route can give. */
export const common = {
  '400': error('The input breaks a rule: details.issues[] names each field (path) and rule.'),
  '401': error('Not signed in: no valid session cookie or API token (UNAUTHENTICATED).'),
  '500': error('Unexpected error; the body carries a correlation id to quote, never a stack trace.'),
};
/** Answers of state-changing routes a browser session calls. */
export const changing = { ...common, '403': error('A session cookie without the X-CSRF-Token header (CSRF_FAILED), or not allowed.') };
export const siteNotFound = { '404': error('No such site, or you are not one of its members (SITE_NOT_FOUND).') };
export const busy = { '409': error('The site is being deleted (SITE_BUSY): it can no longer be changed.') };
export const adminOnly = { '403': error('Admins only (FORBIDDEN).') };

/** A change carried out by an operation: 202 with it. */
export const operation = (summary: string, extra: Record<string, unknown> = {}) => ({
  summary,
  responses: {
    '202': ok('The operation that carries it out; follow it to the end.', operationViewSchema),
    ...siteNotFound,
    ...busy,
    ...extra,
    ...changing,
  },
});
