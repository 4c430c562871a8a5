import { z } from 'zod';

/** A site's numeric id as it travels in paths and bodies (PostgreSQL `integer` range). */
export const siteIdSchema = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .positive('must be positive')
  .max(2_147_483_647, 'is out of range');

/** Path parameters of every `/…/:siteId` route. */
export const siteIdParamsSchema = z.strictObject({ siteId: siteIdSchema });
