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

describe('POST /v1/identity on the router', () => {
  const keys = Object.fromEntries(['manager', 'shell', 'router-2'].map((id) => [id, generateKeyPairSync('ed25519')]));
  let dir: string;
  let server: FastifyInstance;
  const challenge = 'x'.repeat(43);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'router-identity-route-'));
    await mkdir(join(dir, 'public'), { recursive: true });
    for (const [id, pair] of Object.entries(keys))
      await writeFile(keyFilePaths(dir, id).publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    server = createComponentServer({
      id: 'router-2',
      keysDir: dir,
      trustedRoutes: TRUSTED_ROUTES.router,
      nonces: new MemoryNonceStore(),
      bodyLimitBytes: 1024 * 1024,
      logLevel: 'silent',
    });
    registerIdentityRoutes(server, { id: 'router-2', privateKey: keys['router-2']!.privateKey });
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
          { audience: 'router-2', method: 'POST', path: '/v1/identity', body: payload },
        )
      : {};
    return server.inject({ method: 'POST', url: '/v1/identity', payload, headers: { ...headers, 'content-type': 'application/json' } });
  }

  it('answers the manager with its id, role, version, public key and a signature of the challenge by its own key', async () => {
    const answer = await send('manager', { challenge });
    expect(answer.statusCode).toBe(200);
    const proof: IdentityProof = identityProofSchema.parse(answer.json());
    expect(proof).toMatchObject({ id: 'router-2', component: 'router', version: { protocol: FLEET_PROTOCOL_VERSION } });
    const own = keys['router-2']!.publicKey;
    expect(createPublicKey(proof.publicKey).equals(own)).toBe(true);
    expect(verifyIdentitySignature(proof, challenge, own)).toBe(true);
  });

  it('refuses the shell and unsigned callers, and a challenge that breaks the rule', async () => {
    // The router trusts no caller but the manager: the shell is unknown to it.
    expect((await send('shell', { challenge })).json()).toMatchObject({ error: { code: 'CALLER_UNKNOWN' } });
    expect((await send(null, { challenge })).statusCode).toBe(401);
    for (const body of [{}, { challenge: 'short' }, { challenge: `${challenge}\n` }, { challenge, more: 1 }, null, 'text'])
      expect((await send('manager', body)).json(), JSON.stringify(body)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});
