import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeSpecSchema, routeStateDigest, type RouteSpec } from '@dais/shared';
import { MALFORMED_BODIES } from '../../../test/support/hostile-values';
import { getWithHost } from '../../../test/support/http';
import { writeComponentKeys } from '../../../test/support/keys';
import { freePorts } from '../../../test/support/ports';
import { signedFetch, type TestSigner } from '../../../test/support/signed-fetch';
import { tempDir } from '../../../test/support/temp-dir';
import { loadRouterConfig } from '../src/config/router.config';
import { createRouter, type Router } from '../src/router';

/** Stands in for an orchestrator's data plane: answers 200 with the Host it received. */
function echoServer(port: number): Promise<Server> {
  const server = createServer((req, res) => res.end(req.headers.host ?? ''));
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** Site `siteId`'s route as the manager sends it: its own name and one custom domain with a certificate. */
const siteRoute = (siteId: number, domain = `www.s${siteId}.example.org`): RouteSpec =>
  routeSpecSchema.parse({ siteId, hostnames: [`s${siteId}.dais.localhost`, domain], certificateHostnames: [domain] });

const sites = (from: number, count: number) => Array.from({ length: count }, (_, i) => siteRoute(from + i));

describe('router bulk route state (real nginx, signed API)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let router: Router;
  let api: string;
  let edgePort: number;
  let manager: TestSigner;
  let orchestrator: Server;
  let env: Record<string, string>;

  const replace = (routes: RouteSpec[]) => signedFetch(api, manager, 'PUT', '/v1/routes', { body: { routes } });
  const summary = async () => (await signedFetch(api, manager, 'GET', '/v1/routes/summary')).json as { sites: number; digest: string };
  const served = async (host: string) => (await getWithHost(edgePort, host)).status;

  beforeAll(async () => {
    dir = await tempDir('router-bulk');
    const keys = await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'router']);
    const [apiPort, edge, status, upstream] = await freePorts(4);
    edgePort = edge!;
    orchestrator = await echoServer(upstream!);
    env = {
      DAIS_STATE_DIR: dir.path,
      DAIS_ROUTER_PORT: String(apiPort),
      DAIS_ROUTER_HTTP_PORT: String(edge),
      DAIS_ROUTER_STATUS_PORT: String(status),
      DAIS_ROUTER_ORCHESTRATORS: `127.0.0.1:${upstream}`,
      DAIS_LOG_LEVEL: 'silent',
    };
    router = createRouter(loadRouterConfig(env));
    await router.start();
    api = `http://127.0.0.1:${apiPort}`;
    manager = { callerId: 'manager', privateKey: keys.manager!, audience: 'router' };
  });

  afterAll(async () => {
    await router.stop();
    orchestrator.close();
    await dir.remove();
  });

  it('reports an empty router as 0 sites with the digest of the empty state', async () => {
    expect(await summary()).toEqual({ sites: 0, digest: routeStateDigest([]) });
  });

  it('replaces every route at once with 10,000 sites (a body past the default 1 MiB limit), removing sites not in the state', async () => {
    expect((await signedFetch(api, manager, 'PUT', '/v1/routes/1', { body: siteRoute(1, 'old.example.org') })).status).toBe(200);
    const state = sites(100, 10_000);
    expect(JSON.stringify({ routes: state }).length).toBeGreaterThan(1024 * 1024);
    const answer = await replace(state);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ sites: 10_000, added: 10_000, removed: 1, changed: 0, digest: routeStateDigest(state) });
    for (const host of ['s100.dais.localhost', 'www.s5000.example.org', 's10099.dais.localhost']) expect(await served(host)).toBe(200);
    expect(await served('old.example.org')).toBe(404);
    expect(await summary()).toEqual({ sites: 10_000, digest: routeStateDigest(state) });
  });

  it('refuses a state where two sites route one hostname, naming both, and leaves the old state serving', async () => {
    const before = await summary();
    const answer = await replace([siteRoute(1, 'shared.example.org'), siteRoute(2, 'shared.example.org')]);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('shared.example.org (sites 1, 2)') },
    });
    expect(await summary()).toEqual(before);
    expect(await served('s100.dais.localhost')).toBe(200);
    expect(await served('s1.dais.localhost')).toBe(404);
  });

  it.each([
    ['a site sent twice', { routes: [siteRoute(1), siteRoute(1)] }, 'VALIDATION_FAILED'],
    ['an invalid hostname deep in the list', { routes: [...sites(1, 50), { siteId: 51, hostnames: ['x.org;'] }] }, 'HOSTNAME_INVALID'],
    ['no route list', { sites: [] }, 'VALIDATION_FAILED'],
  ])('refuses %s with a 400 and changes nothing', async (_label, body, code) => {
    const before = await summary();
    const answer = await signedFetch(api, manager, 'PUT', '/v1/routes', { body });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code } });
    expect(await summary()).toEqual(before);
  });

  it.each(MALFORMED_BODIES.map((body) => [body.slice(0, 40), body]))(
    'refuses the malformed body %j with a 400 and changes nothing',
    async (_label, body) => {
      const before = await summary();
      const answer = await signedFetch(api, manager, 'PUT', '/v1/routes', { body });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(await summary()).toEqual(before);
    },
  );

  it('refuses an unsigned state', async () => {
    expect((await signedFetch(api, null, 'PUT', '/v1/routes', { body: { routes: [] } })).status).toBe(401);
    expect((await summary()).sites).toBe(10_000);
  });

  it('gives the same digest for the same state sent in another order, and changes nothing', async () => {
    const before = await summary();
    const answer = await replace(sites(100, 10_000).reverse());
    expect(answer.json).toMatchObject({ sites: 10_000, added: 0, removed: 0, changed: 0, digest: before.digest });
  });

  it('ends consistent when a per-site PUT races a bulk replace: table, edge and certificates agree', async () => {
    const bulk = sites(1, 300);
    const racing = siteRoute(150, 'raced.example.org');
    const [bulkAnswer, siteAnswer] = await Promise.all([
      replace(bulk),
      signedFetch(api, manager, 'PUT', '/v1/routes/150', { body: racing }),
    ]);
    expect([bulkAnswer.status, siteAnswer.status]).toEqual([200, 200]);
    // Whichever came second wins; both outcomes are a serial order of the two calls.
    const putLast = bulk.map((spec) => (spec.siteId === 150 ? racing : spec));
    const { digest, sites: count } = await summary();
    expect(count).toBe(300);
    expect([routeStateDigest(bulk), routeStateDigest(putLast)]).toContain(digest);
    const winner = digest === routeStateDigest(putLast) ? racing : siteRoute(150);
    const loserDomain = winner === racing ? 'www.s150.example.org' : 'raced.example.org';
    expect(await served(winner.hostnames[1]!)).toBe(200);
    expect(await served(loserDomain)).toBe(404);
    const certificates = (await signedFetch(api, manager, 'GET', '/v1/certificates')).json as {
      certificates: { siteId: number; hostname: string }[];
    };
    expect(certificates.certificates.filter((c) => c.siteId === 150).map((c) => c.hostname)).toEqual(winner.certificateHostnames);
    expect(new Set(certificates.certificates.map((c) => c.siteId)).size).toBe(300);
  });

  it('keeps the replaced state across a restart: same digest, same routes served', async () => {
    const before = await summary();
    await router.stop();
    router = createRouter(loadRouterConfig(env));
    await router.start();
    expect(await summary()).toEqual(before);
    expect(await served('s300.dais.localhost')).toBe(200);
    expect(await served('s301.dais.localhost')).toBe(404);
  });
});
