import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWithHost, type PlainResponse } from './support/http';
import { TestStack } from './support/stack';
import { tempDir } from './support/temp-dir';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/index-Ab12_cd.js"></script></head><body>DASHBOARD-INDEX</body></html>';
const SECRET = 'SECRET-OUTSIDE-ASSETS';

describe('the manager serves the built dashboard beside its API', () => {
  let stack: TestStack;
  let webRoot: Awaited<ReturnType<typeof tempDir>>;
  /** A file next to the web root: what a traversal would be after. */
  let outside: Awaited<ReturnType<typeof tempDir>>;

  /** GET with the path exactly as written (no URL normalisation), like a hostile client. */
  const get = (path: string): Promise<PlainResponse> => getWithHost(stack.ports.manager, `127.0.0.1:${stack.ports.manager}`, path);

  beforeAll(async () => {
    webRoot = await tempDir('web-root');
    outside = await tempDir('web-outside');
    await mkdir(join(webRoot.path, 'assets'));
    await writeFile(join(webRoot.path, 'index.html'), INDEX);
    await writeFile(join(webRoot.path, 'assets', 'index-Ab12_cd.js'), 'console.log("dashboard");\n');
    await writeFile(join(webRoot.path, 'assets', 'index-Ef34.css'), 'body { color: black; }\n');
    await writeFile(join(webRoot.path, 'assets', 'font-Gh56.woff2'), 'wOF2');
    await writeFile(join(webRoot.path, 'assets', 'notes.txt'), SECRET);
    await writeFile(join(webRoot.path, 'secret.js'), SECRET);
    await writeFile(join(outside.path, 'secret.js'), SECRET);
    await symlink(join(outside.path, 'secret.js'), join(webRoot.path, 'assets', 'linked-Zz99.js'));
    stack = await TestStack.start('web-app', { env: { DAIS_WEB_ROOT: webRoot.path } });
  });

  afterAll(async () => {
    await stack.stop();
    await webRoot.remove();
    await outside.remove();
  });

  function expectDashboardHeaders(answer: PlainResponse): void {
    expect(answer.headers['content-security-policy']).toBe(CSP);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('same-origin');
  }

  it.each([
    '/',
    '/sign-in',
    '/sites',
    '/sites/',
    '/sites/42',
    '/sites/42/files/public',
    '/account',
    '/account/keys',
    '/admin',
    '/admin/operations',
  ])('answers index.html, not cached, to the client route %s', async (path) => {
    const answer = await get(path);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(INDEX);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expectDashboardHeaders(answer);
  });

  it.each([
    ['index-Ab12_cd.js', 'text/javascript; charset=utf-8', 'console.log("dashboard");\n'],
    ['index-Ef34.css', 'text/css; charset=utf-8', 'body { color: black; }\n'],
    ['font-Gh56.woff2', 'font/woff2', 'wOF2'],
  ])('serves the asset %s with its type, cached for a year', async (file, type, content) => {
    const answer = await get(`/assets/${file}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(content);
    expect(answer.headers['content-type']).toBe(type);
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expectDashboardHeaders(answer);
  });

  it('answers 404 NOT_FOUND for an asset that does not exist', async () => {
    const answer = await get('/assets/missing-Xy12.js');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(answer.headers['cache-control'] ?? '').not.toContain('immutable');
    expectDashboardHeaders(answer);
  });

  it.each([
    '/assets/..%2fsecret.js',
    '/assets/..%2Fsecret.js',
    '/assets/%2e%2e',
    '/assets/%2e%2e%2fsecret.js',
    '/assets/..%5csecret.js',
    '/assets/....%2f..%2fsecret.js',
    '/assets/%2fetc%2fpasswd',
    '/assets/index-Ab12_cd.js%00',
    '/assets/index-Ab12_cd.js%00.css',
    '/assets/%00',
    '/assets/.',
    '/assets/..',
    '/assets/../secret.js',
    '/assets/./../secret.js',
    '/assets//secret.js',
    '/assets/notes.txt',
    '/assets/linked-Zz99.js',
    `/assets/${'a'.repeat(300)}.js`,
  ])('refuses %s with a 4xx and no file content', async (path) => {
    const answer = await get(path);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).not.toContain(SECRET);
    expect(answer.body).not.toContain('root:');
    expect(answer.body).not.toContain('DASHBOARD-INDEX');
  });

  it('leaves the API, health checks, docs and Socket.IO as they were', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(health.body).not.toContain('DASHBOARD-INDEX');
    const providers = await get('/api/auth/providers');
    expect([providers.status, JSON.parse(providers.body)]).toEqual([200, { password: true, oidc: false }]);
    const sites = await stack.api<{ sites: unknown[] }>('GET', '/api/sites');
    expect(sites.status).toBe(200);
    expect(Array.isArray(sites.json.sites)).toBe(true);
    const unknownApi = await get('/api/no-such-route');
    expect([unknownApi.status, JSON.parse(unknownApi.body).error.code]).toEqual([404, 'NOT_FOUND']);
    const anonymous = await get('/api/sites');
    expect(anonymous.status).toBe(401);
    const docs = await get('/api/docs');
    expect([docs.status, docs.body]).toEqual([200, expect.stringContaining('swagger-ui')]);
    const socket = await get('/socket.io/?EIO=4&transport=polling');
    expect(socket.body).not.toContain('DASHBOARD-INDEX');
    expect(socket.status).toBe(200);
    // Paths outside the dashboard's routes are not the dashboard either.
    const elsewhere = await get('/sitesx');
    expect([elsewhere.status, elsewhere.body.includes('DASHBOARD-INDEX')]).toEqual([404, false]);
  });

  it('answers a plain 503 page, not a 500, while the dashboard is not built', async () => {
    await rename(join(webRoot.path, 'index.html'), join(webRoot.path, 'index.html.away'));
    try {
      for (const path of ['/', '/sites/7', '/admin']) {
        const answer = await get(path);
        expect(answer.status).toBe(503);
        expect(answer.body).toContain('npm run build');
        expect(answer.body).toContain('not built');
        expect(answer.body).not.toMatch(/at \w+ \(|Error:|ENOENT/);
        expectDashboardHeaders(answer);
      }
      expect((await get('/health')).status).toBe(200);
    } finally {
      await rename(join(webRoot.path, 'index.html.away'), join(webRoot.path, 'index.html'));
    }
    expect((await get('/')).status).toBe(200);
  });
});
