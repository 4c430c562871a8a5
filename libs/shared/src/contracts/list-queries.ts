import { z } from 'zod';
import { pageQuerySchema } from './accounts';
import { pathIdSchema } from './ids';
import { operationStateSchema, operationViewSchema, siteStateSchema } from './manager-api';
import { availabilitySchema, siteTypeSchema } from './orchestrator';

/**
 * `GET /api/sites?search=&type=&state=&availability=&limit=&cursor=`: search matches name or
 * description, case-insensitive; each other filter keeps only the sites with exactly that value.
 */
export const listSitesQuerySchema = pageQuerySchema.extend({
  search: z.string().trim().max(100, 'search must be at most 100 characters').optional(),
  type: siteTypeSchema.optional(),
  state: siteStateSchema.optional(),
  availability: availabilitySchema.optional(),
});

/** `GET /api/operations?state=&siteId=&limit=&cursor=` (admins): every operation, newest first. */
export const listOperationsQuerySchema = pageQuerySchema.extend({
  state: operationStateSchema.optional(),
  siteId: pathIdSchema.optional(),
});

/** `GET /api/operations`: a page of operations; pass `nextCursor` back as `cursor` for the next page. */
export const operationListViewSchema = z.object({ operations: z.array(operationViewSchema), nextCursor: z.number().int().nullable() });

/** Parsed form of {@link operationListViewSchema}. */
export type OperationListView = z.output<typeof operationListViewSchema>;
