import type { FastifyInstance } from 'fastify';
import { DaisError, parseInput, siteIdParamsSchema, siteSpecSchema, type Health } from '@dais/shared';
import { z } from 'zod';
import type { SiteService } from '../sites/site.service';

const deleteQuerySchema = z.strictObject({ keepFiles: z.enum(['true', 'false']).default('false') });

/** The orchestrator's signed control API for sites. Thin: parse, call the service, answer. */
export function registerSiteRoutes(app: FastifyInstance, sites: SiteService, health: () => Health): void {
  const siteIdOf = (params: unknown) => parseInput(siteIdParamsSchema, params, 'path').siteId;

  app.put('/v1/sites/:siteId', async (request) => {
    const siteId = siteIdOf(request.params);
    const spec = parseInput(siteSpecSchema, request.body, 'site spec');
    if (spec.id !== siteId) throw new DaisError('VALIDATION_FAILED', `Body id ${spec.id} does not match path id ${siteId}.`);
    return sites.apply(spec);
  });

  app.get('/v1/sites/:siteId', (request) => sites.get(siteIdOf(request.params)));

  app.get('/v1/sites/:siteId/status', (request) => sites.status(siteIdOf(request.params)));

  app.post('/v1/sites/:siteId/restart', (request) => sites.restart(siteIdOf(request.params)));

  app.delete('/v1/sites/:siteId', (request) => {
    const { keepFiles } = parseInput(deleteQuerySchema, request.query, 'query');
    return sites.remove(siteIdOf(request.params), { keepFiles: keepFiles === 'true' });
  });

  app.get('/v1/health', () => health());
}
