import type { FastifyInstance } from 'fastify';
import {
  DaisError,
  parseInput,
  ROUTE_STATE_BODY_LIMIT_BYTES,
  routeSpecSchema,
  routeStateSchema,
  siteIdParamsSchema,
  type Health,
} from '@dais/shared';
import type { RouteService } from '../forwarding/route.service';

/** The router's signed control API. Thin: parse, call the service, answer. */
export function registerRouteRoutes(app: FastifyInstance, routes: RouteService, health: () => Health): void {
  app.put('/v1/routes/:siteId', async (request) => {
    const { siteId } = parseInput(siteIdParamsSchema, request.params, 'path');
    const spec = parseInput(routeSpecSchema, request.body, 'route spec');
    if (spec.siteId !== siteId) throw new DaisError('VALIDATION_FAILED', `Body siteId ${spec.siteId} does not match path id ${siteId}.`);
    return routes.apply(spec);
  });

  // The whole route state at once (a new or emptied router); several MB for 10,000 sites.
  app.put('/v1/routes', { bodyLimit: ROUTE_STATE_BODY_LIMIT_BYTES }, async (request) => {
    const started = performance.now();
    const { routes: specs } = parseInput(routeStateSchema, request.body, 'route state');
    const applied = await routes.replaceAll(specs);
    const { digest: _digest, ...counts } = applied;
    request.log.info({ ...counts, ms: Math.round(performance.now() - started) }, 'route state replaced');
    return applied;
  });

  app.get('/v1/routes/summary', () => routes.summary());

  app.delete('/v1/routes/:siteId', (request) => routes.remove(parseInput(siteIdParamsSchema, request.params, 'path').siteId));

  app.get('/v1/health', () => health());
}
