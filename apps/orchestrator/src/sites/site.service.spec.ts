import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaisError, isDaisError } from '@dais/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RuntimeSite } from './runtime-driver';
import { dynamicSpec, siteServiceFixture, staticSpec, type SiteServiceFixture } from './site-service.fixture';
import { toRuntimeSite } from './to-runtime-site';

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe('the site service on the memory runtime', () => {
  let fx: SiteServiceFixture;

  beforeEach(async () => {
    fx = await siteServiceFixture();
  });

  afterEach(async () => {
    await fx.dispose();
  });

  describe('apply', () => {
    it('makes the files, then runs the container, then routes to its endpoint', async () => {
      const apply = fx.runtime.apply.bind(fx.runtime);
      let runScriptAtStart = false;
      vi.spyOn(fx.runtime, 'apply').mockImplementation((site, options) => {
        runScriptAtStart = existsSync(join(fx.files.siteDir(site.siteId), 'run.sh'));
        return apply(site, options);
      });
      const applied = await fx.service.apply(dynamicSpec(1));
      expect(runScriptAtStart).toBe(true);
      expect(fx.renders).toHaveLength(1);
      const routed = fx.renders[0]?.sites[1];
      expect(routed?.running).toBe(1);
      expect(routed?.endpoints).toEqual([expect.stringMatching(/:8080$/)]);
      expect(applied).toEqual({ siteId: 1, hostnames: ['site1.dais.localhost'], nginxGeneration: 1, notes: [] });
      expect(await fx.service.status(1)).toMatchObject({ state: 'running', endpoints: routed?.endpoints });
    });

    it('gives a slow program time to listen before routing, and routes anyway once the wait is over', async () => {
      fx.runtime.setProgram(1, { kind: 'serves', startingFor: 3 });
      await fx.service.apply(dynamicSpec(1));
      expect((await fx.service.status(1)).state).toBe('running');
      expect(fx.runtime.calls.filter((call) => call.operation === 'observe').length).toBeGreaterThanOrEqual(4);

      const patient = await siteServiceFixture({ endpointWaitMs: 100 });
      try {
        patient.runtime.setProgram(2, { kind: 'serves', startingFor: Number.POSITIVE_INFINITY });
        await patient.service.apply(dynamicSpec(2));
        expect(patient.renders.at(-1)?.sites[2]?.endpoints).toHaveLength(1);
        expect((await patient.service.status(2)).state).toBe('starting');
      } finally {
        await patient.dispose();
      }
    });

    it('leaves running containers alone when the same spec comes again', async () => {
      await fx.service.apply(dynamicSpec(1));
      const before = await fx.service.status(1);
      await fx.service.apply(dynamicSpec(1));
      expect((await fx.service.status(1)).startedAt).toBe(before.startedAt);
      expect(fx.runtime.calls.filter((call) => call.operation === 'apply').map((call) => call.restart)).toEqual([false, false]);
    });

    it('replaces the containers when the environment changes, and routes to the new endpoint', async () => {
      await fx.service.apply(dynamicSpec(1));
      const before = await fx.service.status(1);
      await fx.service.apply(dynamicSpec(1, {}, { env: { GREETING: 'changed' } }));
      const after = await fx.service.status(1);
      expect(after.startedAt).not.toBe(before.startedAt);
      expect(fx.renders.at(-1)?.sites[1]?.endpoints).toEqual(after.endpoints);
      expect(after.endpoints).not.toEqual(before.endpoints);
    });

    it('stops a site its owner stopped: no containers, no endpoints, still routed (to the not-running page)', async () => {
      await fx.service.apply(dynamicSpec(1));
      await fx.service.apply(dynamicSpec(1, {}, { stopped: true }));
      expect(fx.runtime.runningCount(1)).toBe(0);
      expect(fx.endpoints.of(1)).toEqual([]);
      expect(fx.renders.at(-1)?.siteIds).toContain(1);
      expect(await fx.service.status(1)).toMatchObject({ state: 'stopped', message: 'Stopped by its owner.' });
      await fx.service.apply(dynamicSpec(1));
      expect(fx.runtime.runningCount(1)).toBe(1);
      expect(fx.endpoints.of(1)).toHaveLength(1);
    });

    it('routes to every task of a site with several (swarm-like runtime)', async () => {
      const swarm = await siteServiceFixture({ flavour: 'swarm' });
      try {
        await swarm.service.apply(dynamicSpec(1, {}, { replicas: 3 }));
        expect(swarm.renders.at(-1)?.sites[1]?.endpoints).toHaveLength(3);
      } finally {
        await swarm.dispose();
      }
    });

    it('removes the containers when a dynamic site becomes static, and starts none for a static site', async () => {
      await fx.service.apply(dynamicSpec(1));
      await fx.service.apply(staticSpec(1));
      expect(fx.runtime.runningCount(1)).toBe(0);
      expect(fx.endpoints.of(1)).toEqual([]);
      expect(await fx.service.status(1)).toMatchObject({ state: 'static' });
      await fx.service.apply(staticSpec(2));
      expect(fx.runtime.calls.filter((call) => call.siteId === 2)).toEqual([]);
    });

    it('accepts a site with nothing to run, says why in its status, and starts it once run.sh appears', async () => {
      fx.runtime.engine.addImage('no-command:1', { hasCommand: false });
      await fx.service.apply(dynamicSpec(1, {}, { image: 'no-command:1', runScript: null }));
      expect(fx.runtime.runningCount(1)).toBe(0);
      expect(fx.renders.at(-1)?.siteIds).toEqual([1]);
      const status = await fx.service.status(1);
      expect(status).toMatchObject({ state: 'crashed', endpoints: [], image: 'no-command:1' });
      expect(status.message).toMatch(/has no run\.sh and its image no-command:1 has no command/);
      await writeFile(join(fx.files.siteDir(1), 'run.sh'), 'exec httpd\n', { mode: 0o755 });
      await fx.service.converge(1);
      expect(await fx.service.status(1)).toMatchObject({ state: 'running' });
    });

    it('tests a site with an admin snippet on its own first, and changes nothing when nginx refuses it', async () => {
      fx.refuseNextOwnBlock(new DaisError('NGINX_CONFIG_REJECTED', 'unknown directive'));
      const refusal = await rejection(fx.service.apply(dynamicSpec(1, { nginx: { snippet: 'bogus on;' } })));
      expect(isDaisError(refusal, 'NGINX_CONFIG_REJECTED')).toBe(true);
      expect(fx.testedBlocks).toEqual([1]);
      expect(existsSync(fx.files.siteDir(1))).toBe(false);
      expect(fx.runtime.calls).toEqual([]);
      expect(fx.renders).toEqual([]);
    });
  });

  describe('when something fails halfway', () => {
    it('a new site whose containers cannot be started is not routed; its files stay and a retry completes it', async () => {
      fx.runtime.failNext('apply');
      const refusal = await rejection(fx.service.apply(dynamicSpec(1)));
      expect(isDaisError(refusal, 'RUNTIME_FAILED')).toBe(true);
      expect(fx.table.get(1)).toBeUndefined();
      expect(fx.renders).toEqual([]);
      expect(existsSync(join(fx.files.siteDir(1), 'run.sh'))).toBe(true);
      await fx.service.apply(dynamicSpec(1));
      expect(fx.renders.at(-1)?.sites[1]?.running).toBe(1);
    });

    it('a changed site whose new containers cannot be started keeps its old spec, containers and route', async () => {
      await fx.service.apply(dynamicSpec(1));
      const before = await fx.service.status(1);
      fx.runtime.failNext('apply');
      await expect(fx.service.apply(dynamicSpec(1, {}, { env: { GREETING: 'changed' } }))).rejects.toThrow(/engine said no/);
      expect(fx.table.get(1)?.runtime?.env).toEqual({});
      expect(await fx.service.status(1)).toMatchObject({ state: 'running', startedAt: before.startedAt, endpoints: before.endpoints });
      expect(fx.renders).toHaveLength(1);
    });

    it('a site nginx refuses is not held, though its containers started (the reconciler removes them as orphans)', async () => {
      fx.refuseNextRender(new DaisError('NGINX_CONFIG_REJECTED', 'nginx said no'));
      await expect(fx.service.apply(dynamicSpec(1))).rejects.toThrow(/nginx said no/);
      expect(fx.service.siteIds()).toEqual([]);
      expect(fx.runtime.runningCount(1)).toBe(1);
      expect(await fx.service.removeOrphan(1)).toBe(true);
      expect(fx.runtime.runningCount(1)).toBe(0);
    });

    it('a runtime that cannot be looked at after the start fails the apply before routing; converge then routes it', async () => {
      await fx.service.apply(dynamicSpec(1));
      fx.runtime.failNext('observe');
      await expect(fx.service.apply(dynamicSpec(1, {}, { env: { GREETING: 'changed' } }))).rejects.toThrow(/engine said no/);
      expect(fx.table.get(1)?.runtime?.env).toEqual({});
      const stale = fx.renders.at(-1)?.sites[1]?.endpoints;
      // The new container runs under the old spec's route; converging brings the old spec back and routes it.
      await fx.service.converge(1);
      const status = await fx.service.status(1);
      expect(status.state).toBe('running');
      expect(fx.renders.at(-1)?.sites[1]?.endpoints).toEqual(status.endpoints);
      expect(status.endpoints).not.toEqual(stale);
    });
  });

  describe('remove', () => {
    it('takes the route away first, then the containers, then the files', async () => {
      await fx.service.apply(dynamicSpec(1));
      const remove = fx.runtime.remove.bind(fx.runtime);
      let routedAtRemoval: boolean | null = null;
      vi.spyOn(fx.runtime, 'remove').mockImplementation((siteId) => {
        routedAtRemoval = fx.renders.at(-1)?.siteIds.includes(siteId) ?? false;
        return remove(siteId);
      });
      const removed = await fx.service.remove(1);
      expect(routedAtRemoval).toBe(false);
      expect(removed).toEqual({ siteId: 1, removed: true, nginxGeneration: 2 });
      expect(fx.runtime.runningCount(1)).toBe(0);
      expect(fx.endpoints.of(1)).toEqual([]);
      expect(existsSync(fx.files.siteDir(1))).toBe(false);
      expect(await fx.service.remove(1)).toEqual({ siteId: 1, removed: false, nginxGeneration: 2 });
    });

    it('keeps the files when asked to', async () => {
      await fx.service.apply(dynamicSpec(1));
      await fx.service.remove(1, { keepFiles: true });
      expect(existsSync(join(fx.files.siteDir(1), 'run.sh'))).toBe(true);
    });

    it("removes an orphan's containers, but never those of a site it holds", async () => {
      await fx.service.apply(dynamicSpec(1));
      await fx.runtime.apply(runtimeSiteOf(fx, 2));
      expect(await fx.service.removeOrphan(1)).toBe(false);
      expect(await fx.service.removeOrphan(2)).toBe(true);
      expect(fx.runtime.runningCount(1)).toBe(1);
      expect(fx.runtime.runningCount(2)).toBe(0);
    });
  });

  describe('converge (self-repair of one site)', () => {
    it('brings back containers removed by hand and routes to their new endpoint', async () => {
      await fx.service.apply(dynamicSpec(1));
      const before = fx.endpoints.of(1);
      fx.runtime.removeByHand(1);
      expect(await fx.service.converge(1)).toEqual([]);
      expect(fx.runtime.runningCount(1)).toBe(1);
      expect(fx.endpoints.of(1)).not.toEqual(before);
      expect(fx.renders.at(-1)?.sites[1]?.endpoints).toEqual(fx.endpoints.of(1));
    });

    it('replaces containers whose image changed', async () => {
      await fx.service.apply(dynamicSpec(1));
      const before = await fx.service.status(1);
      fx.runtime.engine.retag('dais/busybox:latest');
      await fx.service.converge(1);
      expect((await fx.service.status(1)).startedAt).not.toBe(before.startedAt);
    });

    it('leaves a crashed site crashed (no endless restarts) and forgets its endpoints; restart revives it', async () => {
      await fx.service.apply(dynamicSpec(1));
      fx.runtime.crash(1, { exitCode: 137, output: 'Killed' });
      await fx.service.converge(1);
      const status = await fx.service.status(1);
      expect(status).toMatchObject({ state: 'crashed', exitCode: 137 });
      expect(status.message).toMatch(/^run\.sh exited with code 137 after 3 restarts\..*Killed$/s);
      expect(fx.renders.at(-1)?.sites[1]?.endpoints).toEqual([]);
      expect(await fx.service.restart(1)).toMatchObject({ state: 'running' });
      expect(fx.renders.at(-1)?.sites[1]?.endpoints).toHaveLength(1);
    });

    it('makes a site folder again that was deleted, and says so', async () => {
      await fx.service.apply(dynamicSpec(1));
      await rm(join(fx.files.siteDir(1), 'public'), { recursive: true });
      expect(await fx.service.converge(1)).toEqual(['public was missing: Dais made an empty public folder.']);
    });

    it('does nothing for a site this host does not hold', async () => {
      expect(await fx.service.converge(7)).toEqual([]);
      expect(fx.runtime.calls).toEqual([]);
    });
  });

  it('refuses to restart a static site', async () => {
    await fx.service.apply(staticSpec(1));
    const refusal = await rejection(fx.service.restart(1));
    expect(isDaisError(refusal, 'VALIDATION_FAILED')).toBe(true);
  });

  it('runs calls for one site in turn: a remove issued during an apply wins', async () => {
    fx.runtime.setProgram(1, { kind: 'serves', startingFor: 5 });
    const applying = fx.service.apply(dynamicSpec(1));
    const removing = fx.service.remove(1);
    await Promise.all([applying, removing]);
    expect(fx.runtime.runningCount(1)).toBe(0);
    expect(fx.service.siteIds()).toEqual([]);
    expect(fx.runtime.calls.map((call) => call.operation).filter((operation) => operation !== 'observe')).toEqual(['apply', 'remove']);
  });
});

/** The RuntimeSite the service would make for a spec, for a container started behind its back. */
function runtimeSiteOf(fx: SiteServiceFixture, siteId: number): RuntimeSite {
  return toRuntimeSite(dynamicSpec(siteId), { siteDir: fx.files.siteDir(siteId), uid: 200_000 + siteId, hasRunScript: true });
}
