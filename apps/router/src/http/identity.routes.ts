import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { identityRequestSchema, parseInput, proveIdentity, type IdentityProof } from '@dais/shared';

/**
 * `POST /v1/identity` (the manager only, like every `/v1` route): signs the manager's challenge with
 * this router's own key and says which fleet protocol and version it runs, so the manager can
 * tell it is the router it means to register (docs/fleet.md).
 */
export function registerIdentityRoutes(app: FastifyInstance, own: { id: string; privateKey: KeyObject }): void {
  app.post('/v1/identity', (request): IdentityProof =>
    proveIdentity({ ...own, component: 'router' }, parseInput(identityRequestSchema, request.body, 'identity challenge')),
  );
}
