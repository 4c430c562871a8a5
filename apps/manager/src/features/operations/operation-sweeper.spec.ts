import type { OperationView } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { ManagerConfig } from '../../config/manager.config';
import type { OperationQueue } from '../../infrastructure/queue/operation-queue';
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
  const sweeper = new OperationSweeper(repository as unknown as OperationRepository, queue as unknown as OperationQueue, events, config);
  return { sweeper, endings, removed, ended, changed, overdue };
}

describe('operation sweeper: operations past their deadline', () => {
  it('fails an operation that looks overdue at two sweeps in a row, removes its job and announces it', async () => {
    const { sweeper, endings, removed, ended, changed } = setup([stuck(7)]);
    await sweeper.sweep();
    expect(endings).toEqual([]);
    await sweeper.sweep();
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
    await sweeper.sweep();
    overdue.splice(0);
    await sweeper.sweep();
    overdue.push(stuck(7));
    await sweeper.sweep();
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
