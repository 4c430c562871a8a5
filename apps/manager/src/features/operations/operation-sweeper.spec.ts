import type { OperationView } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { ManagerConfig } from '../../config/manager.config';
import type { OperationQueue } from '../../infrastructure/queue/operation-queue';
import type { PeriodicJobs } from '../../infrastructure/queue/periodic-jobs';
import type { OperationEvents } from './operation-runner';
import type { OperationEnding, OperationRepository } from './operation.repository';
import { describeDeadline, OperationSweeper } from './operation-sweeper';
import type { OperationWithSteps } from './operation-view';

const createdAt = new Date('2026-01-01T00:00:00Z');

function stuck(id: number): OperationWithSteps {
  return {
    id,
    siteId: 3,
    siteName: 'blog',
    kind: 'update_site',
    state: 'running',
    error: null,
    requestedById: 1,
    createdAt,
    startedAt: createdAt,
    finishedAt: null,
    steps: [],
  };
}

/** The parts of the repository, queue and event bus the sweeper uses, in memory. */
function setup(overdue: OperationWithSteps[]) {
  const endings: OperationEnding[] = [];
  const removed: number[] = [];
  const ended: number[] = [];
  const changed: OperationView[] = [];
  const repository = {
    listOverdue: () => Promise.resolve(overdue),
    listUnfinishedBefore: () => Promise.resolve([]),
    find: (id: number) => Promise.resolve(overdue.find((operation) => operation.id === id) ?? null),
    finish: (ending: OperationEnding) => {
      endings.push(ending);
      return Promise.resolve(true);
    },
  };
  const queue = {
    removeJob: (id: number) => {
      removed.push(id);
      return Promise.resolve(true);
    },
  };
  const events: OperationEvents = {
    operationChanged: (_siteId, view) => {
      changed.push(view);
      return Promise.resolve();
    },
    operationEnded: (_siteId, id) => {
      ended.push(id);
      return Promise.resolve();
    },
  };
  const config = { operationDeadlineMs: 120_000, queue: { sweepIntervalMs: 1_000 } } as ManagerConfig;
  const sweeperIn = (periodic: Partial<PeriodicJobs>) =>
    new OperationSweeper(
      periodic as PeriodicJobs,
      repository as unknown as OperationRepository,
      queue as unknown as OperationQueue,
      events,
      config,
    );
  return { sweeper: sweeperIn({}), sweeperIn, endings, removed, ended, changed, overdue };
}

/**
 * The cluster's schedule as the sweeper sees it: ticks run one after another, each in whichever
 * process the test says, each handed what the previous tick returned (as `PeriodicJobs` does).
 */
function clusterSchedule() {
  const scheduled: { name: string; everyMs: number }[] = [];
  let tick: ((previous: unknown) => Promise<unknown>)[] = [];
  let carried: unknown = null;
  const processOf = (index: number): Partial<PeriodicJobs> => ({
    scheduleCarrying: <T>(name: string, everyMs: number, run: (previous: T | null) => Promise<T>) => {
      scheduled.push({ name, everyMs });
      tick[index] = run as (previous: unknown) => Promise<unknown>;
    },
  });
  const runTickIn = async (index: number) => {
    const run = tick[index];
    if (!run) throw new Error(`process ${index} scheduled nothing`);
    carried = await run(carried);
  };
  const reset = () => {
    tick = [];
    carried = null;
  };
  return { scheduled, processOf, runTickIn, reset };
}

describe('operation sweeper: operations past their deadline', () => {
  it('fails an operation that looks overdue at two sweeps in a row, removes its job and announces it', async () => {
    const { sweeper, endings, removed, ended, changed } = setup([stuck(7)]);
    const suspects = await sweeper.sweep([]);
    expect(endings).toEqual([]);
    await sweeper.sweep(suspects);
    expect(endings).toEqual([
      expect.objectContaining({
        id: 7,
        state: 'failed',
        error: expect.stringContaining('did not finish within 2 minutes; retry it') as unknown,
        siteEffect: { kind: 'none' },
        domainEffect: { kind: 'fail', siteId: 3, upTo: createdAt, message: 'Did not finish within 2 minutes; retry the operation.' },
        unfinishedStepsMessage: 'Did not finish within 2 minutes; retry the operation.',
      }),
    ]);
    expect(removed).toEqual([7]);
    expect(ended).toEqual([7]);
    expect(changed.map((view) => view.id)).toEqual([7]);
  });

  it('leaves an operation alone when it made progress between two sweeps', async () => {
    const { sweeper, endings, overdue } = setup([stuck(7)]);
    let suspects = await sweeper.sweep([]);
    overdue.splice(0);
    suspects = await sweeper.sweep(suspects);
    overdue.push(stuck(7));
    await sweeper.sweep(suspects);
    expect(endings).toEqual([]);
  });

  it('is one cluster-wide schedule at the sweep interval, under the same name in every process', () => {
    const { sweeperIn } = setup([]);
    const cluster = clusterSchedule();
    for (const index of [0, 1]) sweeperIn(cluster.processOf(index)).onApplicationBootstrap();
    expect(cluster.scheduled).toEqual([
      { name: 'operation-sweep', everyMs: 1_000 },
      { name: 'operation-sweep', everyMs: 1_000 },
    ]);
  });

  it('fails an operation seen overdue at two ticks in a row that two different processes ran', async () => {
    const { sweeperIn, endings } = setup([stuck(7)]);
    const cluster = clusterSchedule();
    for (const index of [0, 1]) sweeperIn(cluster.processOf(index)).onApplicationBootstrap();
    await cluster.runTickIn(0);
    expect(endings).toEqual([]);
    await cluster.runTickIn(1);
    expect(endings.map((ending) => ending.id)).toEqual([7]);
  });

  it('starts suspicion over when the previous tick left nothing (the first tick, or one too long ago)', async () => {
    const { sweeperIn, endings } = setup([stuck(7)]);
    const cluster = clusterSchedule();
    sweeperIn(cluster.processOf(0)).onApplicationBootstrap();
    await cluster.runTickIn(0);
    cluster.reset();
    sweeperIn(cluster.processOf(1)).onApplicationBootstrap();
    await cluster.runTickIn(1);
    expect(endings).toEqual([]);
  });

  it.each([
    [60_000, '1 minute'],
    [3_600_000, '60 minutes'],
    [4_000, '4 seconds'],
    [90_000, '90 seconds'],
  ])('describes a deadline of %i ms as "%s"', (ms, text) => {
    expect(describeDeadline(ms)).toBe(text);
  });
});
