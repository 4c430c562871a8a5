import type { OperationView, SiteView } from '@dais/shared';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStack } from './support/stack';

const stepStates = (operation: OperationView) => operation.steps.map((step) => step.state);

describe('operations survive restarts and outages (API and worker as separate processes)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start('resilience', { separateWorker: true });
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('completes an operation whose worker was killed mid-step', async () => {
    // With the orchestrator frozen, the worker's call hangs inside step 1: that is where we kill it.
    stack.signal('orchestrator', 'SIGSTOP');
    try {
      const site = await stack.createSite('phoenix');
      const operationId = site.operation?.id ?? 0;
      await stack.waitForOperation<OperationView>(operationId, (operation) => operation.steps[0]?.state === 'running');
      await stack.stopProcess('manager-worker', 'SIGKILL');
      stack.startProcess('manager-worker');
    } finally {
      stack.signal('orchestrator', 'SIGCONT');
    }
    const sites = await stack.api<{ sites: SiteView[] }>('GET', '/api/sites');
    const site = sites.json.sites.find((candidate) => candidate.name === 'phoenix');
    const done = await stack.waitForOperation<OperationView>(site?.operation?.id ?? 0);
    expect(done.state).toBe('succeeded');
    // The step that was cut short ran again in the new worker.
    expect(done.steps[0]?.attempts).toBeGreaterThanOrEqual(2);
    expect((await stack.visit('phoenix.dais.localhost')).status).toBe(200);
  });

  it('re-queues an operation whose job vanished from Redis (Redis restarted empty)', async () => {
    await stack.stopProcess('manager-worker');
    const site = await stack.createSite('amnesia');
    const redis = new Redis(stack.env.REDIS_URL ?? '');
    try {
      const keys = await redis.keys(`${stack.env.DAIS_QUEUE_PREFIX ?? ''}:*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
    } finally {
      await redis.quit();
    }
    stack.startProcess('manager-worker');
    const done = await stack.waitForOperation<OperationView>(site.operation?.id ?? 0, undefined, 30_000);
    expect(done.state).toBe('succeeded');
    expect((await stack.visit('amnesia.dais.localhost')).status).toBe(200);
  });

  it('retries with backoff while the orchestrator is down, showing why, then completes', async () => {
    await stack.stopProcess('orchestrator');
    try {
      const site = await stack.createSite('patience');
      const waiting = await stack.waitForOperation<OperationView>(
        site.operation?.id ?? 0,
        (operation) => operation.steps[0]?.state === 'retrying',
      );
      expect(waiting.state).toBe('running');
      expect(waiting.steps[0]?.message).toMatch(/Could not reach orchestrator .*ECONNREFUSED.*Retrying automatically\./);
    } finally {
      stack.startProcess('orchestrator');
    }
    const sites = await stack.api<{ sites: SiteView[] }>('GET', '/api/sites');
    const site = sites.json.sites.find((candidate) => candidate.name === 'patience');
    const done = await stack.waitForOperation<OperationView>(site?.operation?.id ?? 0);
    expect(stepStates(done)).toEqual(['succeeded', 'succeeded']);
    expect((await stack.visit('patience.dais.localhost')).status).toBe(200);
  });

  it('runs operations on one site in order: a delete queued behind a create waits for it', async () => {
    stack.signal('orchestrator', 'SIGSTOP');
    let siteId = 0;
    let deleteId = 0;
    try {
      const site = await stack.createSite('ordered');
      siteId = site.id;
      const deletion = await stack.api<OperationView>('DELETE', `/api/sites/${site.id}`, { confirm: 'ordered' });
      deleteId = deletion.json.id;
    } finally {
      stack.signal('orchestrator', 'SIGCONT');
    }
    const done = await stack.waitForOperation<OperationView>(deleteId);
    expect(done.state).toBe('succeeded');
    const operations = await stack.database.query<{ id: number; kind: string; finishedAt: Date }>(
      'select id, kind, "finishedAt" from "Operation" where "siteId" = $1 order by id',
      [siteId],
    );
    expect(operations.map((operation) => operation.kind)).toEqual(['create_site', 'delete_site']);
    expect(operations[0]!.finishedAt.getTime()).toBeLessThanOrEqual(operations[1]!.finishedAt.getTime());
    expect((await stack.visit('ordered.dais.localhost')).status).toBe(404);
  });
});
