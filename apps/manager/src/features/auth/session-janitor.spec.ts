import { describe, expect, it } from 'vitest';
import type { ManagerConfig } from '../../config/manager.config';
import type { PeriodicJobs } from '../../infrastructure/queue/periodic-jobs';
import { SessionJanitor } from './session-janitor';
import type { SessionRepository } from './session.repository';

/** A janitor on fakes: what it scheduled, and a repository that counts deletes (or fails them). */
function setup(deleteExpired: () => Promise<void> = () => Promise.resolve()) {
  const scheduled: { name: string; everyMs: number; run: () => Promise<unknown> }[] = [];
  const periodic = {
    schedule: (name: string, everyMs: number, run: () => Promise<unknown>) => void scheduled.push({ name, everyMs, run }),
  };
  let deletes = 0;
  const sessions = {
    deleteExpired: () => {
      deletes++;
      return deleteExpired();
    },
  };
  const config = { sessionCleanupIntervalMs: 60 * 60_000 } as ManagerConfig;
  const janitor = new SessionJanitor(periodic as unknown as PeriodicJobs, sessions as unknown as SessionRepository, config);
  return { janitor, scheduled, deletes: () => deletes };
}

describe('session janitor', () => {
  it('is one cluster-wide job at the configured interval, and starts no timer of its own', () => {
    const { janitor, scheduled, deletes } = setup();
    janitor.onApplicationBootstrap();
    expect(scheduled.map(({ name, everyMs }) => ({ name, everyMs }))).toEqual([{ name: 'session-cleanup', everyMs: 3_600_000 }]);
    expect(deletes()).toBe(0);
  });

  it('deletes expired sessions at each tick', async () => {
    const { janitor, scheduled, deletes } = setup();
    janitor.onApplicationBootstrap();
    await scheduled[0]?.run();
    await scheduled[0]?.run();
    expect(deletes()).toBe(2);
  });

  it('lets a tick whose delete failed end quietly: the next tick deletes them', async () => {
    const { janitor, scheduled } = setup(() => Promise.reject(new Error('connection refused')));
    janitor.onApplicationBootstrap();
    await expect(scheduled[0]?.run()).resolves.toBeUndefined();
  });
});
