import type { FastifyInstance } from 'fastify';
import { DaisError, parseInput, routeSpecSchema, siteIdParamsSchema, type Health } from '@dais/shared';
import type { RouteService } from '../forwarding/route.service';

/** The router's signed control API. Thin: parse, call the service, answer. */
export function registerRouteRoutes(app: FastifyInstance, routes: RouteService, health: () => Health): void {
  app.put('/v1/routes/:siteId', async (request) => {
    const { siteId } = parseInput(siteIdParamsSchema, request.params, 'path');
    const spec = parseInput(routeSpecSchema, request.body, 'route spec');
    if (spec.siteId !== siteId) throw new DaisError('VALIDATION_FAILED', `Body siteId ${spec.siteId} does not match path id ${siteId}.`);
    return routes.apply(spec);
  });

  app.delete('/v1/routes/:siteId', (request) => routes.remove(parseInput(siteIdParamsSchema, request.params, 'path').siteId));

  app.get('/v1/health', () => health());
}
