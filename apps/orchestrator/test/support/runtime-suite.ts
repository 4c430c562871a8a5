import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SiteSpec } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../../test/support/http';
import { openAccepted } from '../../../../test/support/ws-client';
import { dynamicSpec, OrchestratorHarness } from './orchestrator-harness';
import { hardeningOf, imageWithoutCommand, runningContainerIds } from './runtime-inspection';

/**
 * The behaviour every runtime must show, run once per runtime (`docker`, `swarm`): the same
 * calls, the same answers, the same pages through nginx.
 */
export function defineRuntimeSuite(runtime: 'docker' | 'swarm'): void {
  describe(`dynamic sites on the ${runtime} runtime (real engine, real nginx)`, () => {
    let h: OrchestratorHarness;
    const host = (name: string) => `${name}.dais.localhost`;
    const read = (siteId: number, file: string) => readFile(join(h.siteDir(siteId), 'private', file), 'utf8');
    const put = async (spec: SiteSpec) => {
      const answer = await h.put(spec);
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    };

    beforeAll(async () => {
      h = await OrchestratorHarness.start(runtime);
    });

    afterAll(async () => {
      await h.destroy();
    });

    it('runs run.sh as the site user with the site environment, and serves it through nginx', async () => {
      const database = {
        engine: 'postgresql' as const,
        host: '10.0.0.5',
        port: 5432,
        name: 'site_1',
        username: 'site_1',
        password: 'p@ss word/x',
      };
      await put(dynamicSpec(1, 'alpha', {}, { env: { GREETING: 'hello world' }, secrets: { API_KEY: 's3cret' }, database }));
      const page = await h.visitUntil(host('alpha'), 200, 'alpha is ready');
      expect(page.body).toContain('alpha is ready');
      const env = await read(1, 'env.txt');
      for (const line of [
        'PORT=8080',
        'HOST=0.0.0.0',
        'SITE_NAME=alpha',
        'GREETING=hello world',
        'API_KEY=s3cret',
        'DB_HOST=10.0.0.5',
        'DB_PASSWORD=p@ss word/x',
      ]) {
        expect(env).toContain(line);
      }
      expect(env).toContain('DATABASE_URL=postgresql://site_1:p%40ss%20word%2Fx@10.0.0.5:5432/site_1');
      expect((await read(1, 'uid.txt')).trim()).toBe('200001');
      expect(await read(1, 'rootfs.txt')).toMatch(/Read-only file system/);
      const status = await h.statusUntil(1, (s) => s.state === 'running');
      expect(status.endpoints).toEqual([expect.stringMatching(/^[\d.]+:\d+$/)]);
    });

    it("opens a terminal in the site's own running container, as the site user", async () => {
      const [own] = await runningContainerIds(h, 1);
      const hostname = (await h.docker.getContainer(own ?? '').inspect()).Config.Hostname;
      const terminal = await openAccepted(h.api, h.manager, '/ws/sites/1/terminal?cols=90&rows=20');
      await terminal.message('ready');
      // Its own container, not a stand-in: the ready message carries no notice.
      expect(terminal.messages.find((message) => message.type === 'ready')).toEqual({ type: 'ready' });
      terminal.type('hostname; id -u; stty size; exit 6\n');
      expect((await terminal.message('exit', 20_000)).code).toBe(6);
      expect(terminal.stdout).toContain(hostname);
      expect(terminal.stdout).toMatch(/200001[\s\S]*20 90/);
    });

    it('never mistakes a site being created for an orphan (its container is not replaced by self-repair)', async () => {
      const created: string[][] = [];
      for (const id of [11, 12, 13]) {
        await put(dynamicSpec(id, `fresh${id}`));
        created.push(await runningContainerIds(h, id));
      }
      // Self-repair passes run every second here; several go by.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      for (const [index, id] of [11, 12, 13].entries()) expect(await runningContainerIds(h, id)).toEqual(created[index]);
      for (const id of [11, 12, 13]) await h.call('DELETE', `/v1/sites/${id}`);
    });

    it('hardens the container: init, read-only root, no capabilities, limits, the site folder as the only mount', async () => {
      const hardening = await hardeningOf(h, runtime, 1);
      expect(hardening).toEqual({
        init: true,
        readOnlyRoot: true,
        capDrop: ['ALL'],
        privileged: false,
        user: '200001:200001',
        memoryBytes: 64 * 1024 * 1024,
        nanoCpus: 500_000_000,
        pids: 64,
        binds: [`${h.siteDir(1)}:/site`],
        tmpfs: ['/tmp'],
        hostNetwork: false,
        dockerSocket: false,
        restartLimit: 3,
        stopGraceSeconds: 3,
        logMaxSize: '10m',
      });
    });

    it('replaces the container when its environment or limits change', async () => {
      const before = await runningContainerIds(h, 1);
      await put(dynamicSpec(1, 'alpha', {}, { env: { GREETING: 'changed' }, limits: { memoryMb: 96, cpus: 0.25, pids: 64 } }));
      await h.visitUntil(host('alpha'), 200);
      await eventually(
        () => read(1, 'env.txt'),
        (env) => env.includes('GREETING=changed'),
        20_000,
      );
      const after = await runningContainerIds(h, 1);
      expect(after).not.toEqual(before);
      expect((await hardeningOf(h, runtime, 1)).memoryBytes).toBe(96 * 1024 * 1024);
    });

    it('restarts on request', async () => {
      const before = await h.status(1);
      const answer = await h.call('POST', '/v1/sites/1/restart');
      expect(answer.status).toBe(200);
      const after = await h.statusUntil(1, (status) => status.state === 'running' && status.startedAt !== before.startedAt);
      expect(after.startedAt).not.toBe(before.startedAt);
      await h.visitUntil(host('alpha'), 200);
    });

    it('stops and starts: a stopped site runs no container and shows the not-served page', async () => {
      await put(dynamicSpec(1, 'alpha', {}, { stopped: true }));
      expect((await h.visit(host('alpha'))).status).toBe(503);
      expect(await h.status(1)).toMatchObject({ state: 'stopped' });
      expect(await runningContainerIds(h, 1)).toEqual([]);
      // A terminal still opens, beside the site in a stand-in container, and says so.
      const terminal = await openAccepted(h.api, h.manager, '/ws/sites/1/terminal');
      await terminal.message('ready');
      expect(terminal.messages.find((message) => message.type === 'ready')).toEqual({ type: 'ready', siteRunning: false });
      terminal.type('ls /site; exit 0\n');
      expect((await terminal.message('exit', 30_000)).code).toBe(0);
      expect(terminal.stdout).toContain('public');
      await put(dynamicSpec(1, 'alpha'));
      await h.visitUntil(host('alpha'), 200);
    });

    it('serves the not-served page with zero containers when an admin sets availability', async () => {
      await put(dynamicSpec(1, 'alpha', { availability: 'not_served' }));
      const page = await h.visit(host('alpha'));
      expect(page.status).toBe(503);
      expect(page.body).toContain('not being served');
      expect(await h.status(1)).toMatchObject({ state: 'not_served' });
      expect(await runningContainerIds(h, 1)).toEqual([]);
      await put(dynamicSpec(1, 'alpha'));
      await h.visitUntil(host('alpha'), 200);
    });

    it('changes type: dynamic → static removes the container and serves files; static → dynamic runs it again', async () => {
      await writeFile(join(h.siteDir(1), 'public', 'index.html'), 'static now');
      await put({ ...dynamicSpec(1, 'alpha'), type: 'static', runtime: null });
      expect((await h.visit(host('alpha'))).body).toBe('static now');
      expect(await h.status(1)).toMatchObject({ state: 'static' });
      expect(await runningContainerIds(h, 1)).toEqual([]);
      await put(dynamicSpec(1, 'alpha'));
      await h.visitUntil(host('alpha'), 200, 'static now');
      expect(await h.status(1)).toMatchObject({ state: 'running' });
    });

    it('shows a crash with its exit code and output instead of restarting forever', async () => {
      await put(dynamicSpec(2, 'crashy', {}, { runScript: '#!/bin/sh\necho "cannot find config.json" >&2\nexit 3\n' }));
      const status = await h.statusUntil(2, (s) => s.state === 'crashed', 60_000);
      expect(status.exitCode).toBe(3);
      expect(status.message).toMatch(/run\.sh exited with code 3/);
      expect(status.message).toContain('cannot find config.json');
      const restarts = status.restarts;
      expect(restarts).toBeLessThanOrEqual(3);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect((await h.status(2)).restarts).toBe(restarts);
      const page = await h.visit(host('crashy'));
      expect(page.status).toBe(502);
      expect(page.body).toContain('starting, stopped or has crashed');
    });

    it("says when there is nothing to serve (no run.sh, and its image's own command ends), and recovers once run.sh appears", async () => {
      // dais/busybox's own command is `sh`, which exits at once without a terminal.
      await put(dynamicSpec(3, 'empty', {}, { runScript: null }));
      const status = await h.statusUntil(3, (s) => s.state === 'crashed');
      expect(status.message).toMatch(/^The image's command \(the site has no run\.sh\) exited with code 0/);
      // nginx hears of the exit through the engine's events, a moment after the status does.
      await h.visitUntil(host('empty'), 502, 'starting, stopped or has crashed', 10_000);
      await writeFile(join(h.siteDir(3), 'run.sh'), 'exec httpd -f -p "$PORT" -h /site/public\n', { mode: 0o755 });
      await h.visitUntil(host('empty'), 200, 'empty is ready');
    });

    it('accepts a site with nothing to run at all (no run.sh, an image without a command) and says so', async () => {
      const image = await imageWithoutCommand(h);
      await put(dynamicSpec(5, 'nothing', {}, { image, runScript: null }));
      const status = await h.status(5);
      expect(status).toMatchObject({ state: 'crashed', endpoints: [] });
      expect(status.message).toBe(
        `The site has no run.sh and its image ${image} has no command of its own: add a run.sh to the site folder.`,
      );
      expect((await h.visit(host('nothing'))).status).toBe(502);
      expect(await runningContainerIds(h, 5)).toEqual([]);
      await h.call('DELETE', '/v1/sites/5');
    });

    it('repairs drift: a container removed by hand comes back', async () => {
      for (const id of await runningContainerIds(h, 1)) await h.docker.getContainer(id).remove({ force: true });
      if (runtime === 'swarm') await h.docker.getService(`${h.prefix}1`).remove();
      await h.visitUntil(host('alpha'), 200, '', 30_000);
      expect((await runningContainerIds(h, 1)).length).toBe(1);
    });

    it('repairs drift: a container whose image changed is replaced', async () => {
      const tag = `${h.prefix}image`;
      await h.docker.getImage('dais/busybox:latest').tag({ repo: tag, tag: 'v1' });
      await put(dynamicSpec(4, 'imaged', {}, { image: `${tag}:v1` }));
      await h.visitUntil(host('imaged'), 200);
      const before = await runningContainerIds(h, 4);
      // Point the tag at another image, as a `docker build -t` or pull would.
      await h.docker
        .getImage('dais-test/busybox:latest')
        .tag({ repo: tag, tag: 'v1' })
        .catch(async () => {
          await h.docker.getImage('dais/debian:bookworm').tag({ repo: tag, tag: 'v1' });
        });
      await eventually(
        () => runningContainerIds(h, 4),
        (ids) => ids.length === 1 && ids[0] !== before[0],
        30_000,
        250,
      );
      await h.visitUntil(host('imaged'), 200);
      await h.call('DELETE', '/v1/sites/4');
      await h.docker
        .getImage(`${tag}:v1`)
        .remove()
        .catch(() => undefined);
    });

    it('repairs drift: an nginx route file deleted by hand is rewritten', async () => {
      const live = join(h.dir.path, 'orchestrator/nginx/conf/live');
      await unlink(join(live, 'site-upstreams.map'));
      await eventually(
        () => readFile(join(live, 'site-upstreams.map'), 'utf8').catch(() => ''),
        (text) => text.includes('alpha.dais.localhost'),
        20_000,
        200,
      );
      await h.visitUntil(host('alpha'), 200);
    });

    it('keeps every site serving across an orchestrator restart, without recreating containers', async () => {
      const before = await runningContainerIds(h, 1);
      await h.shutdown();
      await h.boot();
      await h.visitUntil(host('alpha'), 200);
      expect(await runningContainerIds(h, 1)).toEqual(before);
    });

    it('deletes a site: route, containers and files gone; keepFiles keeps the files', async () => {
      expect((await h.call('DELETE', '/v1/sites/3?keepFiles=true')).json).toMatchObject({ removed: true });
      expect(await runningContainerIds(h, 3)).toEqual([]);
      expect((await h.visit(host('empty'))).status).toBe(404);
      expect(await readFile(join(h.siteDir(3), 'run.sh'), 'utf8')).toContain('httpd');
      await rm(h.siteDir(3), { recursive: true });
      expect((await h.call('DELETE', '/v1/sites/2')).json).toMatchObject({ removed: true });
      await expect(readFile(join(h.siteDir(2), 'run.sh'))).rejects.toThrow();
    });

    describe('refuses impossible or hostile input with a 400 naming the bound', () => {
      it.each([
        ['no memory', { limits: { memoryMb: 0, cpus: 1, pids: 64 } }, 'memoryMb must be at least 32'],
        ['100 CPUs', { limits: { memoryMb: 64, cpus: 100, pids: 64 } }, 'cpus must be at most 8'],
        ['a fork bomb allowance', { limits: { memoryMb: 64, cpus: 1, pids: 1_000_000 } }, 'pids must be at most 4096'],
        ['an env name Dais sets', { env: { PORT: '80' } }, 'cannot be overridden'],
        ['an env name with a space', { env: { 'A B': 'x' } }, 'must be letters, digits and _'],
        ['an env value with NUL', { env: { A: 'x\0y' } }, 'must not contain NUL'],
        ['an image reference with a space', { image: 'busybox latest' }, 'Docker image reference'],
        ['an image reference with a shell', { image: 'busybox;rm -rf /' }, 'Docker image reference'],
      ])('%s', async (_label, runtimeOverrides, message) => {
        const answer = await h.put(dynamicSpec(9, 'bad', {}, runtimeOverrides));
        expect(answer.status).toBe(400);
        expect(JSON.stringify(answer.json)).toContain(message);
        expect(await runningContainerIds(h, 9)).toEqual([]);
      });

      it('a dynamic site without a runtime', async () => {
        const answer = await h.put({ ...dynamicSpec(9, 'bad'), runtime: null });
        expect(answer.status).toBe(400);
        expect(JSON.stringify(answer.json)).toContain('a dynamic site needs a runtime');
      });

      it('an image that is not on this host and cannot be pulled', async () => {
        const answer = await h.put(dynamicSpec(9, 'bad', {}, { image: 'dais-no-such-image/anywhere:1' }));
        expect(answer.status).toBe(422);
        expect(answer.json).toMatchObject({ error: { code: 'IMAGE_UNAVAILABLE' } });
      });
    });
  });
}
