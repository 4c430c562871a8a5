import { describe, expect, it } from 'vitest';
import type { OperationQueue } from '../../infrastructure/queue/operation-queue';
import { FakeOperationQueue } from '../../testing/fake-operation-queue';
import { OperationLauncher } from './operation-launcher';

describe('launching a saved operation', () => {
  it('queues the operation', async () => {
    const queue = new FakeOperationQueue();
    await new OperationLauncher(queue as unknown as OperationQueue).launch(7);
    expect(queue.queued).toEqual([7]);
  });

  it('answers normally when Redis is down: the operation is in PostgreSQL and the sweeper queues it later', async () => {
    const queue = new FakeOperationQueue();
    queue.failWith('connect ECONNREFUSED 127.0.0.1:6379');
    const launcher = new OperationLauncher(queue as unknown as OperationQueue);
    await expect(launcher.launch(7)).resolves.toBeUndefined();
    expect(queue.queued).toEqual([]);
    queue.recover();
    await launcher.launch(8);
    expect(queue.queued).toEqual([8]);
  });
});
