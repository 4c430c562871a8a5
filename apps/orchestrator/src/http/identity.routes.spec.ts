import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  FLEET_PROTOCOL_VERSION,
  identityProofSchema,
  keyFilePaths,
  MemoryNonceStore,
  signRequest,
  TRUSTED_ROUTES,
  verifyIdentitySignature,
  type IdentityProof,
} from '@dais/shared';
import { createComponentServer } from '@dais/shared/fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerIdentityRoutes } from './identity.routes';

describe('POST /v1/identity on the orchestrator', () => {
  const keys = Object.fromEntries(['manager', 'shell', 'orchestrator-2'].map((id) => [id, generateKeyPairSync('ed25519')]));
  let dir: string;
  let server: FastifyInstance;
  const challenge = 'x'.repeat(43);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'identity-route-'));
    await mkdir(join(dir, 'public'), { recursive: true });
    for (const [id, pair] of Object.entries(keys))
      await writeFile(keyFilePaths(dir, id).publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    server = createComponentServer({
      id: 'orchestrator-2',
      keysDir: dir,
      trustedRoutes: TRUSTED_ROUTES.orchestrator,
      nonces: new MemoryNonceStore(),
      bodyLimitBytes: 1024 * 1024,
      logLevel: 'silent',
    });
    registerIdentityRoutes(server, { id: 'orchestrator-2', privateKey: keys['orchestrator-2']!.privateKey });
    await server.ready();
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  function send(callerId: string | null, body: unknown) {
    const payload = JSON.stringify(body);
    const headers = callerId
      ? signRequest(
          { callerId, privateKey: keys[callerId]!.privateKey },
          { audience: 'orchestrator-2', method: 'POST', path: '/v1/identity', body: payload },
        )
      : {};
    return server.inject({ method: 'POST', url: '/v1/identity', payload, headers: { ...headers, 'content-type': 'application/json' } });
  }

  it('answers the manager with its id, role, version, public key and a signature of the challenge by its own key', async () => {
    const answer = await send('manager', { challenge });
    expect(answer.statusCode).toBe(200);
    const proof: IdentityProof = identityProofSchema.parse(answer.json());
    expect(proof).toMatchObject({ id: 'orchestrator-2', component: 'orchestrator', version: { protocol: FLEET_PROTOCOL_VERSION } });
    const own = keys['orchestrator-2']!.publicKey;
    expect(createPublicKey(proof.publicKey).equals(own)).toBe(true);
    expect(verifyIdentitySignature(proof, challenge, own)).toBe(true);
  });

  it('refuses the shell and unsigned callers, and a challenge that breaks the rule', async () => {
    expect((await send('shell', { challenge })).json()).toMatchObject({ error: { code: 'ROUTE_FORBIDDEN' } });
    expect((await send(null, { challenge })).statusCode).toBe(401);
    for (const body of [{}, { challenge: 'short' }, { challenge: `${challenge}\n` }, { challenge, more: 1 }, null, 'text'])
      expect((await send('manager', body)).json(), JSON.stringify(body)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});
