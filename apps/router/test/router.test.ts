import type { KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWithHost } from '../../../test/support/http';
import { writeComponentKeys } from '../../../test/support/keys';
import { freePorts } from '../../../test/support/ports';
import { SIGNATURE_ATTACKS } from '../../../test/support/signature-attacks';
import { signedFetch, type TestSigner } from '../../../test/support/signed-fetch';
import { tempDir } from '../../../test/support/temp-dir';
import { loadRouterConfig } from '../src/config/router.config';
import { createRouter, type Router } from '../src/router';

/** Stands in for an orchestrator's data plane: answers with the headers it received. */
function echoServer(name: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        served_by: name,
        host: req.headers.host,
        forwarded: req.headers['x-forwarded-for'],
        proto: req.headers['x-forwarded-proto'],
      }),
    );
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('router (real nginx, signed API)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let router: Router;
  let api: string;
  let edgePort: number;
  let manager: TestSigner;
  let intruderKey: KeyObject;
  let orchestrators: Server[];

  const put = (siteId: number, hostnames: string[], signer: TestSigner | null = manager) =>
    signedFetch(api, signer, 'PUT', `/v1/routes/${siteId}`, { body: { siteId, hostnames } });

  beforeAll(async () => {
    dir = await tempDir('router');
    const keys = await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'router', 'orchestrator', 'intruder']);
    intruderKey = keys.intruder!;
    const [apiPort, edge, status, upstreamA, upstreamB] = await freePorts(5);
    edgePort = edge!;
    orchestrators = [await echoServer('a', upstreamA!), await echoServer('b', upstreamB!)];
    router = createRouter(
      loadRouterConfig({
        DAIS_STATE_DIR: dir.path,
        DAIS_ROUTER_PORT: String(apiPort),
        DAIS_ROUTER_HTTP_PORT: String(edge),
        DAIS_ROUTER_STATUS_PORT: String(status),
        DAIS_ROUTER_ORCHESTRATORS: `127.0.0.1:${upstreamA},127.0.0.1:${upstreamB}`,
        DAIS_LOG_LEVEL: 'silent',
      }),
    );
    await router.start();
    api = `http://127.0.0.1:${apiPort}`;
    manager = { callerId: 'manager', privateKey: keys.manager!, audience: 'router' };
  });

  afterAll(async () => {
    await router.stop();
    for (const server of orchestrators) server.close();
    await dir.remove();
  });

  it('forwards a routed hostname to the orchestrators with the original Host', async () => {
    expect((await put(1, ['blog.dais.localhost', 'blog.example.org'])).status).toBe(200);
    for (const host of ['blog.dais.localhost', 'blog.example.org']) {
      const answer = await getWithHost(edgePort, host);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ host, forwarded: '127.0.0.1', proto: 'http' });
    }
  });

  it('answers an unknown host itself with a 404 page', async () => {
    const answer = await getWithHost(edgePort, 'unknown.example.org');
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('There is no site or page at this address');
  });

  it('does not pass on what a client claims about earlier hops', async () => {
    const { request } = await import('node:http');
    const body = await new Promise<string>((resolve, reject) => {
      request(
        { port: edgePort, host: '127.0.0.1', headers: { host: 'blog.dais.localhost', 'x-forwarded-for': '6.6.6.6' }, agent: false },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        },
      )
        .on('error', reject)
        .end();
    });
    expect(JSON.parse(body)).toMatchObject({ forwarded: '127.0.0.1' });
  });

  it('keeps serving when one orchestrator of two stops answering', async () => {
    orchestrators[0]!.close();
    orchestrators[0]!.closeAllConnections();
    for (let i = 0; i < 6; i++) {
      const answer = await getWithHost(edgePort, 'blog.dais.localhost');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ served_by: 'b' });
    }
  });

  it.each(SIGNATURE_ATTACKS)('rejects a request %s and changes nothing', async (_label, attack, status, code) => {
    const target = {
      baseUrl: api,
      method: 'PUT',
      path: '/v1/routes/2',
      body: { siteId: 2, hostnames: ['evil.example.org'] },
      caller: manager,
      intruderKey,
      otherAudience: 'orchestrator',
    };
    const answer = await attack(target);
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ error: { code } });
    expect((await getWithHost(edgePort, 'evil.example.org')).status).toBe(404);
  });

  it('routes a wildcard for every name under it (not the bare name), beside an exact name under it', async () => {
    expect((await put(4, ['*.wild.example.org'])).status).toBe(200);
    expect((await put(5, ['exact.wild.example.org'])).status).toBe(200);
    expect((await getWithHost(edgePort, 'any.wild.example.org')).status).toBe(200);
    expect((await getWithHost(edgePort, 'exact.wild.example.org')).status).toBe(200);
    expect((await getWithHost(edgePort, 'wild.example.org')).status).toBe(404);
    for (const id of [4, 5]) await signedFetch(api, manager, 'DELETE', `/v1/routes/${id}`);
    expect((await getWithHost(edgePort, 'any.wild.example.org')).status).toBe(404);
  });

  it.each([['x.org;'], ['a.*.example.org'], ['10.0.0.1'], ['a'.repeat(64) + '.org']])(
    'refuses hostname %j with a 400',
    async (hostname) => {
      const answer = await put(3, [hostname]);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: 'HOSTNAME_INVALID' } });
    },
  );

  it.each([
    ['a hostile name', ['c.example.org'], ['c.example.org;'], 'HOSTNAME_INVALID'],
    ['a wildcard', ['*.c.example.org'], ['*.c.example.org'], 'HOSTNAME_INVALID'],
    ['a name that is not routed', ['c.example.org'], ['other.example.org'], 'VALIDATION_FAILED'],
  ])('refuses %s among the certificate hostnames with a 400', async (_label, hostnames, certificateHostnames, code) => {
    const answer = await signedFetch(api, manager, 'PUT', '/v1/routes/3', { body: { siteId: 3, hostnames, certificateHostnames } });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code } });
  });

  it('lists certificate states to the manager only', async () => {
    expect((await signedFetch(api, manager, 'GET', '/v1/certificates')).json).toEqual({ certificates: [] });
    expect((await signedFetch(api, null, 'GET', '/v1/certificates')).status).toBe(401);
  });

  it('removes a route: the hostname is unknown again', async () => {
    expect((await signedFetch(api, manager, 'DELETE', '/v1/routes/1')).json).toMatchObject({ removed: true });
    expect((await getWithHost(edgePort, 'blog.dais.localhost')).status).toBe(404);
    expect((await signedFetch(api, manager, 'DELETE', '/v1/routes/1')).json).toMatchObject({ removed: false });
  });
});
