import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getWithHost } from './support/http';
import { TestStack, type StackProcess } from './support/stack';

/**
 * A visitor requesting a page without pause (one request at a time, a fresh connection each, as a
 * browser opening the page would) until stopped; counts answers by status and transport failures.
 */
function visitor(port: number, host: string) {
  const seen = { ok: 0, failed: [] as string[] };
  const control = { running: true };
  const loop = (async () => {
    while (control.running) {
      try {
        const page = await getWithHost(port, host);
        if (page.status === 200) seen.ok++;
        else seen.failed.push(`HTTP ${page.status}`);
      } catch (error) {
        seen.failed.push(error instanceof Error ? error.message : String(error));
      }
    }
  })();
  return {
    seen,
    /** Stops after the request under way; resolves with what was seen. */
    stop: async () => {
      control.running = false;
      await loop;
      return seen;
    },
  };
}

describe('operations and visitors survive component restarts (docker-compose restart, crashes)', () => {
  let stack: TestStack;
  const operationOf = async (name: string) => {
    const sites = await stack.api<{ sites: SiteView[] }>('GET', '/api/sites');
    return sites.json.sites.find((site) => site.name === name)?.operation?.id ?? 0;
  };

  beforeAll(async () => {
    // As in production compose: nginx keeps serving while its component restarts.
    stack = await TestStack.start('restarts', { separateWorker: true, env: { DAIS_NGINX_STOP_ON_EXIT: 'false' } });
  });

  afterAll(async () => {
    await stack.stop();
  });

  /**
   * Starts an operation that creates a dynamic site and stops the worker while its first step is
   * under way (the orchestrator frozen, so the call hangs there), then brings a worker back.
   */
  async function interruptWorker(name: string, signal: NodeJS.Signals): Promise<OperationView> {
    stack.signal('orchestrator', 'SIGSTOP');
    try {
      const created = await stack.api<SiteView>('POST', '/api/sites', { name, type: 'dynamic', image: 'busybox' });
      expect(created.status).toBe(202);
      // The first step may need no orchestrator (a catalogue image): wait for whichever step hangs.
      await stack.waitForOperation<OperationView>(created.json.operation?.id ?? 0, (operation) =>
        operation.steps.some((step) => step.state === 'running' && step.name.startsWith('orchestrator.') && step.attempts >= 1),
      );
      // SIGTERM: the worker's graceful close waits for the hung job, then gives up on it and exits.
      await stack.stopProcess('manager-worker', signal);
    } finally {
      stack.signal('orchestrator', 'SIGCONT');
    }
    stack.startProcess('manager-worker');
    return stack.waitForOperation<OperationView>(await operationOf(name), undefined, 120_000);
  }

  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'a worker stopped by %s in the middle of creating a dynamic site: the next worker completes it',
    async (signal) => {
      const name = `mid-${signal.toLowerCase()}`;
      const done = await interruptWorker(name, signal);
      expect(done.state, JSON.stringify(done.steps)).toBe('succeeded');
      const page = await eventually(
        () => stack.visit(`${name}.dais.localhost`).catch(() => ({ status: 0, body: '' })),
        (answer) => answer.status === 200,
        30_000,
      );
      expect(page.body).toContain(`${name} is ready`);
    },
  );

  it('an orchestrator killed in the middle of a step and restarted: the step is retried and the operation completes', async () => {
    const site = await stack.api<SiteView>('POST', '/api/sites', { name: 'reborn', type: 'dynamic', image: 'busybox' });
    expect(site.status).toBe(202);
    const operationId = site.json.operation?.id ?? 0;
    // Frozen while the worker's call is inside it: the kill lands mid-request.
    stack.signal('orchestrator', 'SIGSTOP');
    await stack.waitForOperation<OperationView>(operationId, (operation) => operation.steps.some((step) => step.state === 'running'));
    await stack.restartProcess('orchestrator', 'SIGKILL');
    const done = await stack.waitForOperation<OperationView>(operationId, undefined, 120_000);
    expect(done.state, JSON.stringify(done.steps)).toBe('succeeded');
    expect(done.steps.some((step) => step.attempts >= 2)).toBe(true);
    const page = await eventually(
      () => stack.visit('reborn.dais.localhost').catch(() => ({ status: 0, body: '' })),
      (answer) => answer.status === 200,
      30_000,
    );
    expect(page.body).toContain('reborn is ready');
  });

  it.each([
    ['router', 'SIGKILL'],
    ['orchestrator', 'SIGKILL'],
    ['router', 'SIGTERM'],
    ['orchestrator', 'SIGTERM'],
  ] as [StackProcess, NodeJS.Signals][])(
    'a %s stopped by %s and restarted adopts its running nginx: visitors of a static and a dynamic site requesting throughout see no failure',
    async (component, signal) => {
      // A restarted orchestrator once routed dynamic sites to "not running" until it had looked at their containers.
      const sites = [
        { name: 'steady', create: () => stack.createSite('steady') },
        {
          name: 'steady-app',
          create: () =>
            stack
              .api<SiteView>('POST', '/api/sites', { name: 'steady-app', type: 'dynamic', image: 'busybox' })
              .then((answer) => answer.json),
        },
      ];
      for (const site of sites) {
        if ((await stack.visit(`${site.name}.dais.localhost`)).status === 200) continue;
        const created = await site.create();
        expect((await stack.waitForOperation<OperationView>(created.operation?.id ?? 0)).state).toBe('succeeded');
      }
      const clients = sites.map((site) => visitor(stack.ports.edge, `${site.name}.dais.localhost`));
      for (const client of clients)
        await eventually(
          () => Promise.resolve(client.seen.ok),
          (ok) => ok >= 20,
        );
      await stack.restartProcess(component, signal);
      // The restarted component has reconciled with the nginx it found: keep visiting through that.
      for (const client of clients) {
        const before = client.seen.ok;
        await eventually(
          () => Promise.resolve(client.seen.ok),
          (ok) => ok >= before + 50,
        );
      }
      for (const client of clients) {
        const seen = await client.stop();
        expect(seen.failed, `${seen.failed.length} failed of ${seen.ok + seen.failed.length}`).toEqual([]);
      }
      // And the restarted component still drives its nginx: a change made now is served.
      const after = await stack.createSite(`${component}-${signal.toLowerCase()}`);
      expect((await stack.waitForOperation<OperationView>(after.operation?.id ?? 0)).state).toBe('succeeded');
      expect((await stack.visit(`${component}-${signal.toLowerCase()}.dais.localhost`)).status).toBe(200);
    },
  );
});
