import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OperationView, RouteSummary } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/dev-env';
import { eventually } from './support/http';
import { signedFetch } from './support/signed-fetch';
import { TestStack } from './support/stack';

const run = promisify(execFile);
const SITES = ['fill-a', 'fill-b', 'fill-c'];
const hostOf = (name: string) => `${name}.dais.localhost`;

describe('admin routers fill: an emptied router gets every route back in one request', () => {
  let stack: TestStack;

  /** Runs `dais-admin` against the stack; resolves with its exit code and output. */
  async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), ...args], {
        env: { ...process.env, ...stack.env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  const summary = async () =>
    (await signedFetch(`http://127.0.0.1:${stack.ports.router}`, stack.signer('manager', 'router'), 'GET', '/v1/routes/summary'))
      .json as RouteSummary;
  const statuses = async () => Promise.all(SITES.map(async (name) => (await stack.visit(hostOf(name))).status));

  beforeAll(async () => {
    stack = await TestStack.start('router-fill');
    for (const name of SITES) {
      const site = await stack.createSite(name);
      expect((await stack.waitForOperation<OperationView>(site.operation?.id ?? 0)).state).toBe('succeeded');
    }
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('sends nothing to a router that already routes every site (digests equal)', async () => {
    expect(await statuses()).toEqual([200, 200, 200]);
    const answer = await admin('routers', 'fill');
    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain('already routes these 3 sites (same digest): nothing sent');
  });

  it('restores every site through a router whose state folder was wiped, then a second fill sends nothing', async () => {
    await stack.stopProcess('router');
    await rm(join(stack.stateDir, 'router/state'), { recursive: true, force: true });
    stack.startProcess('router');
    await stack.waitUntilReady();
    expect((await summary()).sites).toBe(0);
    expect(await eventually(statuses, (codes) => codes.every((code) => code === 404))).toEqual([404, 404, 404]);

    const filled = await admin('routers', 'fill');
    expect(filled.code).toBe(0);
    expect(filled.stdout).toMatch(/router:\s+0 sites/);
    expect(filled.stdout).toMatch(/sending: 3 sites/);
    expect(filled.stdout).toContain('now routes 3 sites (3 added, 0 removed, 0 changed');
    expect(await statuses()).toEqual([200, 200, 200]);
    expect((await stack.visit(hostOf('fill-b'))).body).toContain('fill-b is ready');

    const again = await admin('routers', 'fill');
    expect(again.stdout).toContain('nothing sent');
  });

  it('repairs a drifted router: a stray route is removed, the sites stay served', async () => {
    const router = `http://127.0.0.1:${stack.ports.router}`;
    const stray = { siteId: 999_999, hostnames: ['stray.dais.localhost'] };
    expect((await signedFetch(router, stack.signer('manager', 'router'), 'PUT', '/v1/routes/999999', { body: stray })).status).toBe(200);
    const filled = await admin('routers', 'fill');
    expect(filled.stdout).toContain('now routes 3 sites (0 added, 1 removed, 0 changed');
    expect((await stack.visit('stray.dais.localhost')).status).toBe(404);
    expect(await statuses()).toEqual([200, 200, 200]);
  });

  it('refuses an unknown action with the usage', async () => {
    const answer = await admin('routers', 'empty');
    expect(answer.code).toBe(1);
    expect(answer.stderr).toContain('routers: unknown subcommand "empty" (list, add, remove, fill)');
  });
});
