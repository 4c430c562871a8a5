import type { FastifyInstance } from 'fastify';
import {
  DaisError,
  parseInput,
  siteDatabaseDropSchema,
  siteDatabaseQuerySchema,
  siteDatabaseSpecSchema,
  siteIdParamsSchema,
} from '@dais/shared';
import type { DatabaseQueryService } from '../databases/query.service';
import type { SiteDatabaseService } from '../databases/site-database.service';

/** The orchestrator's signed control API for per-site databases. Thin: parse, check ids, call the service. */
export function registerDatabaseRoutes(app: FastifyInstance, databases: SiteDatabaseService): void {
  app.put('/v1/databases/:siteId', async (request) => {
    const { siteId } = parseInput(siteIdParamsSchema, request.params, 'path');
    const spec = parseInput(siteDatabaseSpecSchema, request.body, 'database spec');
    assertSameSite(siteId, spec.siteId);
    return databases.apply(spec);
  });

  app.delete('/v1/databases/:siteId', async (request) => {
    const { siteId } = parseInput(siteIdParamsSchema, request.params, 'path');
    const drop = parseInput(siteDatabaseDropSchema, request.body, 'database spec');
    assertSameSite(siteId, drop.siteId);
    return databases.drop(drop);
  });
}

/** The SQL console's route: one statement as the site's own user (statement errors are 400/422, never 5xx). */
export function registerDatabaseQueryRoute(app: FastifyInstance, queries: DatabaseQueryService): void {
  app.post('/v1/databases/:siteId/query', async (request) => {
    const { siteId } = parseInput(siteIdParamsSchema, request.params, 'path');
    const query = parseInput(siteDatabaseQuerySchema, request.body, 'database query');
    assertSameSite(siteId, query.siteId);
    return queries.run(query);
  });
}

function assertSameSite(pathId: number, bodyId: number): void {
  if (bodyId !== pathId) throw new DaisError('VALIDATION_FAILED', `Body siteId ${bodyId} does not match path id ${pathId}.`);
}
