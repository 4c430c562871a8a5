import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWithHost } from '../../../test/support/http';
import { writeComponentKeys } from '../../../test/support/keys';
import { freePorts } from '../../../test/support/ports';
import { SIGNATURE_ATTACKS } from '../../../test/support/signature-attacks';
import { signedFetch, type TestSigner } from '../../../test/support/signed-fetch';
import { tempDir } from '../../../test/support/temp-dir';
import { loadOrchestratorConfig } from '../src/config/orchestrator.config';
import { createOrchestrator, type Orchestrator } from '../src/orchestrator';

describe('orchestrator (real nginx, signed API)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let orchestrator: Orchestrator;
  let env: Record<string, string>;
  let api: string;
  let sitesPort: number;
  let manager: TestSigner;
  let shell: TestSigner;
  let stranger: TestSigner;

  const spec = (id: number, name: string, hostnames = [`${name}.dais.localhost`]) => ({
    id,
    name,
    type: 'static',
    availability: 'enabled',
    hostnames,
  });
  const put = (id: number, body: unknown, signer: TestSigner | null = manager) =>
    signedFetch(api, signer, 'PUT', `/v1/sites/${id}`, { body });
  const health = async () => (await signedFetch(api, manager, 'GET', '/v1/health')).json as { nginxGeneration: number; sites: number };

  async function boot(): Promise<void> {
    orchestrator = createOrchestrator(loadOrchestratorConfig(env));
    await orchestrator.start();
  }

  beforeAll(async () => {
    dir = await tempDir('orchestrator');
    const keys = await writeComponentKeys(join(dir.path, 'keys'), ['manager', 'orchestrator', 'shell', 'intruder']);
    const [apiPort, sites, status] = await freePorts(3);
    sitesPort = sites!;
    env = {
      DAIS_STATE_DIR: dir.path,
      DAIS_ORCHESTRATOR_PORT: String(apiPort),
      DAIS_ORCHESTRATOR_SITES_PORT: String(sites),
      DAIS_ORCHESTRATOR_STATUS_PORT: String(status),
      DAIS_LOG_LEVEL: 'silent',
      DAIS_SITE_NAME_PREFIX: `t${Date.now().toString(36)}-`,
    };
    api = `http://127.0.0.1:${apiPort}`;
    manager = { callerId: 'manager', privateKey: keys.manager!, audience: 'orchestrator' };
    shell = { callerId: 'shell', privateKey: keys.shell!, audience: 'orchestrator' };
    stranger = { callerId: 'manager', privateKey: keys.intruder!, audience: 'orchestrator' };
    await boot();
  });

  afterAll(async () => {
    await orchestrator.stop();
    await dir.remove();
  });

  it('creates the site folders with a default page and serves it by hostname', async () => {
    const answer = await put(1, spec(1, 'blog'));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ siteId: 1, hostnames: ['blog.dais.localhost'] });
    for (const folder of ['public', 'private', '.home']) expect(existsSync(join(dir.path, 'orchestrator/data/sites/1', folder))).toBe(true);
    const page = await getWithHost(sitesPort, 'blog.dais.localhost');
    expect(page.status).toBe(200);
    expect(page.body).toContain('blog is ready');
  });

  it("is idempotent and never overwrites the owner's files", async () => {
    const index = join(dir.path, 'orchestrator/data/sites/1/public/index.html');
    await writeFile(index, '<h1>mine</h1>');
    expect((await put(1, spec(1, 'blog'))).status).toBe(200);
    expect(await readFile(index, 'utf8')).toBe('<h1>mine</h1>');
    expect((await getWithHost(sitesPort, 'blog.dais.localhost')).body).toBe('<h1>mine</h1>');
  });

  it('answers unknown hosts and missing files with a 404 page', async () => {
    const unknown = await getWithHost(sitesPort, 'nobody.dais.localhost');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('There is no site or page at this address');
    expect((await getWithHost(sitesPort, 'blog.dais.localhost', '/missing.html')).status).toBe(404);
  });

  it('serves a 503 page for a site that is not served', async () => {
    expect((await put(2, { ...spec(2, 'paused'), availability: 'not_served' })).status).toBe(200);
    const page = await getWithHost(sitesPort, 'paused.dais.localhost');
    expect(page.status).toBe(503);
    expect(page.body).toContain('not being served');
  });

  describe('rejects requests that are not from a trusted caller, and changes nothing', () => {
    it.each(SIGNATURE_ATTACKS)('%s', async (_label, attack, status, code) => {
      const target = {
        baseUrl: api,
        method: 'PUT',
        path: '/v1/sites/9',
        body: spec(9, 'evil'),
        caller: manager,
        intruderKey: stranger.privateKey,
        otherAudience: 'router',
      };
      const before = await health();
      const answer = await attack(target);
      expect(answer.status).toBe(status);
      expect(answer.json).toMatchObject({ error: { code } });
      expect(existsSync(join(dir.path, 'orchestrator/data/sites/9'))).toBe(false);
      expect((await getWithHost(sitesPort, 'evil.dais.localhost')).status).toBe(404);
      expect(await health()).toEqual(before);
    });

    it('from the shell, outside its prefix (403)', async () => {
      const answer = await put(9, spec(9, 'evil'), shell);
      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({ error: { code: 'ROUTE_FORBIDDEN' } });
      expect(existsSync(join(dir.path, 'orchestrator/data/sites/9'))).toBe(false);
    });

    it('unsigned, to a route that does not exist (no route discovery)', async () => {
      expect((await signedFetch(api, null, 'GET', '/v1/secrets')).status).toBe(401);
    });

    it('a replayed delete does not delete again', async () => {
      const first = await signedFetch(api, manager, 'DELETE', '/v1/sites/2');
      expect(first.status).toBe(200);
      expect((await put(2, { ...spec(2, 'paused'), availability: 'not_served' })).status).toBe(200);
      const replay = await signedFetch(api, null, 'DELETE', '/v1/sites/2', { reuse: first.headers });
      expect(replay.status).toBe(401);
      expect(replay.json).toMatchObject({ error: { code: 'SIGNATURE_REPLAYED' } });
      expect((await getWithHost(sitesPort, 'paused.dais.localhost')).status).toBe(503);
    });
  });

  describe('refuses bad input with a 400 naming the rule', () => {
    it.each([
      ['a bad site name', spec(10, 'Bad_Name', ['ok.dais.localhost']), 'SITE_NAME_INVALID'],
      ['a hostile hostname', spec(10, 'ok', ['x.org;include /etc/passwd']), 'HOSTNAME_INVALID'],
      ['an unknown field', { ...spec(10, 'ok'), privileged: true }, 'VALIDATION_FAILED'],
      ['a missing field', { id: 10, name: 'ok' }, 'VALIDATION_FAILED'],
      ['a mismatched id', spec(11, 'ok'), 'VALIDATION_FAILED'],
      ['no hostnames', spec(10, 'ok', []), 'VALIDATION_FAILED'],
    ])('%s', async (_label, body, code) => {
      const answer = await put(10, body);
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: { code } });
      expect(existsSync(join(dir.path, 'orchestrator/data/sites/10'))).toBe(false);
    });

    it('a body that is not JSON', async () => {
      expect((await put(10, '{not json')).status).toBe(400);
    });

    it('a body over the size limit (413)', async () => {
      const answer = await put(10, { ...spec(10, 'ok'), padding: 'x'.repeat(2 * 1024 * 1024) });
      expect(answer.status).toBe(413);
      expect(answer.json).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    });

    it('a hostname another site already answers on (409)', async () => {
      const answer = await put(12, spec(12, 'thief', ['blog.dais.localhost']));
      expect(answer.status).toBe(409);
      expect(answer.json).toMatchObject({ error: { code: 'HOSTNAME_CONFLICT' } });
      expect((await getWithHost(sitesPort, 'blog.dais.localhost')).body).toBe('<h1>mine</h1>');
    });
  });

  describe('sites with their own nginx directives', () => {
    const postBody = (hostname: string, bytes: number) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          {
            host: '127.0.0.1',
            port: sitesPort,
            method: 'POST',
            path: '/',
            headers: { host: hostname, 'content-length': bytes },
            agent: false,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.end(Buffer.alloc(bytes));
      });

    it("applies a body limit and an admin snippet in the site's own server block", async () => {
      const answer = await put(20, {
        ...spec(20, 'uploads'),
        nginx: { clientMaxBodyMb: 2, snippet: 'add_header X-Dais-Test "own block";' },
      });
      expect(answer.status).toBe(200);
      const page = await getWithHost(sitesPort, 'uploads.dais.localhost');
      expect(page.headers['x-dais-test']).toBe('own block');
      expect(await postBody('uploads.dais.localhost', 3 * 1024 * 1024)).toBe(413);
      expect(await postBody('uploads.dais.localhost', 1_500_000)).not.toBe(413);
      expect(await postBody('blog.dais.localhost', 1_500_000)).toBe(413);
    });

    it('refuses a snippet with a directive snippets may not use, naming the line, and keeps every other site serving', async () => {
      const others = Array.from({ length: 30 }, (_, index) => spec(100 + index, `many${index}`));
      const answers = await Promise.all([
        ...others.map((other) => put(other.id, other)),
        put(21, { ...spec(21, 'broken'), nginx: { snippet: 'gzip on;\nno_such_directive on;' } }),
      ]);
      // Statuses with bodies, so a failure says which site was refused and why.
      expect(answers.slice(0, 30).filter((answer) => answer.status !== 200)).toEqual([]);
      const refused = answers[30]!;
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ error: { code: 'NGINX_SNIPPET_INVALID' } });
      expect((refused.json as { error: { message: string } }).error.message).toContain(
        'line 2: "no_such_directive" is not a directive snippets may use',
      );
      try {
        for (const other of [others[0]!, others[29]!]) expect((await getWithHost(sitesPort, other.hostnames[0]!)).status).toBe(200);
        expect((await getWithHost(sitesPort, 'broken.dais.localhost')).status).toBe(404);
        expect((await getWithHost(sitesPort, 'uploads.dais.localhost')).headers['x-dais-test']).toBe('own block');
      } finally {
        await Promise.all(others.map((other) => signedFetch(api, manager, 'DELETE', `/v1/sites/${other.id}`)));
      }
    });

    it('refuses a snippet that would close its server block before nginx ever sees it', async () => {
      const answer = await put(22, { ...spec(22, 'escape'), nginx: { snippet: '} server { listen 9999; return 200 "owned"; }' } });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.json)).toContain('would close the site’s server block');
    });
  });

  it('deletes a site: route gone, files gone, repeat is harmless', async () => {
    expect((await put(3, spec(3, 'temp'))).status).toBe(200);
    const removed = await signedFetch(api, manager, 'DELETE', '/v1/sites/3');
    expect(removed.json).toMatchObject({ siteId: 3, removed: true });
    expect((await getWithHost(sitesPort, 'temp.dais.localhost')).status).toBe(404);
    expect(existsSync(join(dir.path, 'orchestrator/data/sites/3'))).toBe(false);
    expect((await signedFetch(api, manager, 'DELETE', '/v1/sites/3')).json).toMatchObject({ siteId: 3, removed: false });
  });

  it('keeps serving every site after a restart, from the state it saved', async () => {
    await orchestrator.stop();
    await boot();
    expect((await getWithHost(sitesPort, 'blog.dais.localhost')).body).toBe('<h1>mine</h1>');
    expect((await signedFetch(api, manager, 'GET', '/v1/sites/1')).json).toMatchObject({ id: 1, name: 'blog' });
    expect((await health()).sites).toBe(3);
  });
});
