import type { Worker } from 'bullmq';

/** How long shutdown waits for a worker's job under way before closing it by force. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Lets the job under way finish, but not forever: a worker still reconnecting to Redis never
 * resolves close() (BullMQ #4656), so after a while it is closed by force. The job is not lost:
 * its lock expires and another worker (or the next tick, or the sweeper) takes it up.
 */
export async function closeWorkerGracefully(worker: Worker): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS)));
  const outcome = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') await worker.close(true).catch(() => undefined);
}
