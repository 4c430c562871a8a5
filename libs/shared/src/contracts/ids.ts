import { z } from 'zod';

/** The largest id a PostgreSQL `integer` column holds. */
export const MAX_ID = 2_147_483_647;

/** A numeric id in a JSON body: a JSON number, never a string, boolean or array coerced into one. */
export const idSchema = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .positive('must be positive')
  .max(MAX_ID, `must be at most ${MAX_ID}`);

/**
 * The only spelling of a whole number in a URL: ASCII digits without a sign or leading zero. `Number()`
 * (and so `z.coerce.number()`) also reads " 7", "7\n", "+7", "07", "7.0", "7e0", "0x7", "0o7" and
 * "0b111" as 7, so a coercing route acted on object 7 under paths that name no object at all, past
 * anything that matches on the path (a balancer rule, an allow-list, the request log).
 */
const ID_TEXT = /^[1-9][0-9]{0,9}$/;
const COUNT_TEXT = /^(?:0|[1-9][0-9]{0,15})$/;
const IN_DIGITS = 'in plain digits (like 42), without sign, space, leading zero, decimal point, exponent or 0x';

/** A numeric id in a path or query string: plain digits only, 1 to {@link MAX_ID}. */
export const pathIdSchema = z
  .string({ error: 'must be a positive whole number' })
  .regex(ID_TEXT, `must be a positive whole number ${IN_DIGITS}`)
  .transform(Number)
  .pipe(idSchema);

/** Path parameters that are all ids, e.g. `pathIdsSchema('id', 'domainId')` for `/sites/:id/domains/:domainId`. */
export function pathIdsSchema<const Name extends string>(...names: Name[]) {
  return z.strictObject(Object.fromEntries(names.map((name) => [name, pathIdSchema])) as Record<Name, typeof pathIdSchema>);
}

/** A whole number in a query string (a page size, a count), spelled as strictly as an id, within `min`–`max`. */
export function queryIntegerSchema(min: number, max: number) {
  return z
    .string({ error: 'must be a whole number' })
    .regex(COUNT_TEXT, `must be a whole number ${IN_DIGITS}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}
