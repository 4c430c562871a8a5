import { idSchema, pathIdsSchema } from './ids';

/** A site's numeric id in a JSON body (PostgreSQL `integer` range); in a URL see {@link siteIdParamsSchema}. */
export const siteIdSchema = idSchema;

/** Path parameters of every `/…/:siteId` route. */
export const siteIdParamsSchema = pathIdsSchema('siteId');
