import { mkdir, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagerConfig } from '../../config/manager.config';
import { fakeReply } from '../../testing/http/fake-http';
import { refusalOf } from '../../testing/http/refusal';
import { WebAppController } from './web-app.controller';
import { IMMUTABLE, REVALIDATE, WEB_APP_CSP } from './web-app-headers';

describe('WebAppController', () => {
  let root: string;
  const controllerAt = (path: string) => new WebAppController({ web: { root: path } } as ManagerConfig);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'web-app-spec-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Dais</title>');
    await writeFile(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('answers index.html for a client route, revalidated, with the dashboard’s CSP', async () => {
    const { reply, recorded } = fakeReply();
    await controllerAt(root).index(reply);
    expect(String(recorded.body)).toContain('<title>Dais</title>');
    expect(recorded.statusCode).toBe(200);
    expect(recorded.headers).toMatchObject({ 'cache-control': REVALIDATE, 'content-security-policy': WEB_APP_CSP });
  });

  it('answers 503 and a page saying what to do when the dashboard is not built', async () => {
    const { reply, recorded } = fakeReply();
    await controllerAt(join(root, 'missing')).index(reply);
    expect(recorded.statusCode).toBe(503);
    expect(String(recorded.body)).toContain('npm run build');
  });

  it('serves a built asset for a year', async () => {
    const { reply, recorded } = fakeReply();
    await controllerAt(root).asset('app-1234.js', reply);
    expect(String(recorded.body)).toBe('console.log(1)');
    expect(recorded.headers['cache-control']).toBe(IMMUTABLE);
  });

  it.each(['missing.js', '../index.html', 'index.html', '..', 'app-1234.js\u0000'])(
    'answers NOT_FOUND for asset %j, still with the CSP',
    async (file) => {
      const { reply, recorded } = fakeReply();
      expect((await refusalOf(() => controllerAt(root).asset(file, reply))).code).toBe('NOT_FOUND');
      expect(recorded.headers['content-security-policy']).toBe(WEB_APP_CSP);
    },
  );
});
