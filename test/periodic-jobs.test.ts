import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/http';
import { TestStack } from './support/stack';

/** The periodic jobs every worker schedules (scheduled backups stay off: no DAIS_BACKUP_DIR). */
const JOBS = ['operation-sweep', 'certificate-sync', 'session-cleanup', 'domain-checks'] as const;
/** Each job's interval in this stack (the domain checks tick at a tenth of their check interval). */
const EVERY_MS = 1_000;
const SHORT_INTERVALS = {
  DAIS_SWEEP_INTERVAL_MS: String(EVERY_MS),
  DAIS_CERTIFICATE_SYNC_INTERVAL_MS: String(EVERY_MS),
  DAIS_SESSION_CLEANUP_INTERVAL_MS: String(EVERY_MS),
  DAIS_DOMAIN_CHECK_INTERVAL_MS: String(EVERY_MS * 10),
};
/** Workers log each tick they ran at debug level, with the tick's job id (`repeat:<job>:<due time>`). */
const WORKER_ENV = { DAIS_LOG_LEVEL: 'debug' };
const WORKERS = ['manager-worker', 'manager-worker-2'] as const;

/** One run of a periodic job, as a worker's log tells it. */
interface Run {
  job: string;
  tick: string;
  dueAt: number;
  worker: string;
}

describe('periodic jobs run once per tick for the cluster, not once per worker process', () => {
  let stack: TestStack;

  const runsIn = (worker: string): Run[] =>
    [...stack.logOf(worker).matchAll(/periodic job (\S+) tick (\S+) ran in/g)].map(([, job = '', tick = '']) => ({
      job,
      tick,
      dueAt: Number(tick.split(':').at(-1)),
      worker,
    }));
  const allRuns = (): Run[] => WORKERS.flatMap(runsIn);
  const runsOf = (runs: Run[], job: string) => runs.filter((run) => run.job === job).sort((a, b) => a.dueAt - b.dueAt);
  /** The fewest runs any job has in `runs`. */
  const fewest = (runs: Run[]) => Math.min(...JOBS.map((job) => runsOf(runs, job).length));
  /** Whether every job has run at least `more` times in `now` beyond what it had in `then`. */
  const ranAgain = (then: Run[], now: Run[], more: number) =>
    JOBS.every((job) => runsOf(now, job).length >= runsOf(then, job).length + more);

  /** Every tick ran once (no id twice) and ticks are at least an interval apart (one schedule, not one per worker). */
  function expectOnePerTick(runs: Run[]): void {
    for (const job of JOBS) {
      const ofJob = runsOf(runs, job);
      expect(new Set(ofJob.map((run) => run.tick)).size, `${job}: ${JSON.stringify(ofJob)}`).toBe(ofJob.length);
      const gaps = ofJob.slice(1).map((run, index) => run.dueAt - ofJob[index]!.dueAt);
      expect(
        gaps.every((gap) => gap >= EVERY_MS),
        `${job}: gaps between ticks ${gaps.join(', ')}`,
      ).toBe(true);
      // N ticks over a span, N runs: never two runs for one interval.
      const span = ofJob.at(-1)!.dueAt - ofJob[0]!.dueAt;
      expect(ofJob.length).toBeLessThanOrEqual(span / EVERY_MS + 1);
    }
  }

  beforeAll(async () => {
    stack = await TestStack.start('periodic', { separateWorker: true, env: SHORT_INTERVALS });
    // Two worker processes that say which ticks they ran.
    await stack.stopProcess('manager-worker');
    for (const worker of WORKERS) stack.startProcess('manager-worker', { as: worker, env: WORKER_ENV });
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('two workers both schedule every job, and each tick of each job runs in exactly one of them', async () => {
    const scheduledAll = (log: string) => JOBS.every((job) => log.includes(`scheduled ${job} every ${EVERY_MS} ms`));
    for (const worker of WORKERS) {
      const log = await eventually(() => Promise.resolve(stack.logOf(worker)), scheduledAll, 30_000, 200);
      expect(scheduledAll(log), `${worker} did not schedule every job:\n${log.slice(-3000)}`).toBe(true);
    }
    const runs = await eventually(
      () => Promise.resolve(allRuns()),
      (seen) => fewest(seen) >= 8,
      60_000,
      200,
    );
    expect(fewest(runs), JSON.stringify(runs)).toBeGreaterThanOrEqual(8);
    expectOnePerTick(runs);
  });

  it('when one worker dies the other keeps running every job, still once per tick', async () => {
    await stack.stopProcess('manager-worker', 'SIGKILL');
    const before = runsIn('manager-worker-2');
    const survivor = await eventually(
      () => Promise.resolve(runsIn('manager-worker-2')),
      (seen) => ranAgain(before, seen, 4),
      60_000,
      200,
    );
    expect(ranAgain(before, survivor, 4), JSON.stringify(survivor)).toBe(true);
    expectOnePerTick(allRuns());
  });
});
