import type { FastifyInstance } from 'fastify';
import { DaisError, parseInput, siteIdParamsSchema, siteSpecSchema, type Health } from '@dais/shared';
import type { SiteService } from '../sites/site.service';

/** The orchestrator's signed control API for sites. Thin: parse, call the service, answer. */
export function registerSiteRoutes(app: FastifyInstance, sites: SiteService, health: () => Health): void {
  app.put('/v1/sites/:siteId', async (request) => {
    const { siteId } = parseInput(siteIdParamsSchema, request.params, 'path');
    const spec = parseInput(siteSpecSchema, request.body, 'site spec');
    if (spec.id !== siteId) throw new DaisError('VALIDATION_FAILED', `Body id ${spec.id} does not match path id ${siteId}.`);
    return sites.apply(spec);
  });

  app.get('/v1/sites/:siteId', (request) => sites.get(parseInput(siteIdParamsSchema, request.params, 'path').siteId));

  app.delete('/v1/sites/:siteId', (request) => sites.remove(parseInput(siteIdParamsSchema, request.params, 'path').siteId));

  app.get('/v1/health', () => health());
}
