import type { FastifyInstance } from 'fastify';
import { DaisError, parseInput, siteDatabaseDropSchema, siteDatabaseSpecSchema, siteIdParamsSchema } from '@dais/shared';
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

function assertSameSite(pathId: number, bodyId: number): void {
  if (bodyId !== pathId) throw new DaisError('VALIDATION_FAILED', `Body siteId ${bodyId} does not match path id ${pathId}.`);
}
