import { DaisError, type OperationView } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { OperationKind, StepState } from './operation';
import { stepsFor, type StepName } from './operation-catalogue';
import {
  OperationFailedError,
  OperationRunner,
  RetryLaterError,
  type OperationEvents,
  type OperationStore,
  type StepExecutor,
} from './operation-runner';
import type { OperationEnding, StepUpdate } from './operation.repository';
import type { OperationWithSteps } from './operation-view';

/** An in-memory operation store that behaves like the repository. */
class FakeStore implements OperationStore {
  readonly endings: OperationEnding[] = [];
  earlierUnfinished = false;

  constructor(public operation: OperationWithSteps) {}

  find(id: number): Promise<OperationWithSteps | null> {
    return Promise.resolve(id === this.operation.id ? structuredClone(this.operation) : null);
  }

  markRunning(_id: number, now: Date): Promise<void> {
    this.operation.state = 'running';
    this.operation.startedAt ??= now;
    return Promise.resolve();
  }

  updateStep(stepId: number, update: StepUpdate): Promise<void> {
    const step = this.operation.steps.find((candidate) => candidate.id === stepId);
    if (!step) throw new Error(`no step ${stepId}`);
    step.state = update.state;
    if (update.message !== undefined) step.message = update.message;
    if (update.attempts) step.attempts += update.attempts.increment;
    if (update.startedAt) step.startedAt = update.startedAt;
    if (update.finishedAt !== undefined) step.finishedAt = update.finishedAt;
    return Promise.resolve();
  }

  finish(ending: OperationEnding): Promise<void> {
    this.endings.push(ending);
    this.operation.state = ending.state;
    this.operation.error = ending.error;
    this.operation.finishedAt = ending.now;
    return Promise.resolve();
  }

  hasEarlierUnfinished(): Promise<boolean> {
    return Promise.resolve(this.earlierUnfinished);
  }
}

/** Executes steps by script: each call takes the next outcome for that step (default: success). */
class ScriptedExecutor implements StepExecutor {
  readonly calls: StepName[] = [];
  constructor(
    private readonly outcomes: Partial<Record<StepName, (Error | 'ok' | { note: string })[]>> = {},
    private readonly progress: Partial<Record<StepName, string[]>> = {},
  ) {}

  async execute(step: StepName, _siteId: number, report: (message: string) => Promise<void>): Promise<string | undefined> {
    this.calls.push(step);
    for (const message of this.progress[step] ?? []) await report(message);
    const outcome = this.outcomes[step]?.shift() ?? 'ok';
    if (outcome instanceof Error) throw outcome;
    return outcome === 'ok' ? undefined : outcome.note;
  }
}

class RecordingEvents implements OperationEvents {
  readonly views: OperationView[] = [];
  readonly ended: number[] = [];
  fail = false;

  operationChanged(_siteId: number, view: OperationView): Promise<void> {
    if (this.fail) return Promise.reject(new Error('redis down'));
    this.views.push(view);
    return Promise.resolve();
  }

  operationEnded(_siteId: number, operationId: number): Promise<void> {
    if (this.fail) return Promise.reject(new Error('redis down'));
    this.ended.push(operationId);
    return Promise.resolve();
  }
}

function operationOf(kind: OperationKind, states: StepState[] = []): OperationWithSteps {
  return {
    id: 7,
    siteId: 3,
    siteName: 'blog',
    kind,
    state: 'pending',
    error: null,
    requestedById: 1,
    createdAt: new Date(),
    startedAt: null,
    finishedAt: null,
    steps: stepsFor(kind, { type: 'static', hasDatabase: true }).map((name, position) => ({
      id: 100 + position,
      operationId: 7,
      position,
      name,
      state: states[position] ?? 'pending',
      attempts: 0,
      message: null,
      startedAt: null,
      finishedAt: null,
    })),
  };
}

function setup(operation: OperationWithSteps, executor = new ScriptedExecutor()) {
  const store = new FakeStore(operation);
  const events = new RecordingEvents();
  return { store, events, executor, runner: new OperationRunner(store, executor, events) };
}

const unreachable = () => new DaisError('PEER_UNAVAILABLE', 'Could not reach orchestrator (http://x): ECONNREFUSED.');

describe('operation runner', () => {
  it('runs every step in order and marks the site active', async () => {
    const { runner, store, executor } = setup(operationOf('create_site'));
    await expect(runner.run(7, { finalAttempt: false })).resolves.toBe('finished');
    expect(executor.calls).toEqual(['orchestrator.ensure_site', 'router.ensure_routes']);
    expect(store.operation.state).toBe('succeeded');
    expect(store.operation.steps.map((step) => [step.state, step.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
    expect(store.endings).toEqual([
      expect.objectContaining({ state: 'succeeded', siteEffect: { kind: 'set-state', siteId: 3, state: 'active' } }),
    ]);
  });

  it('removes the site record when a delete succeeds', async () => {
    const { runner, store } = setup(operationOf('delete_site'));
    await runner.run(7, { finalAttempt: false });
    expect(store.endings[0]?.siteEffect).toEqual({ kind: 'delete', siteId: 3 });
  });

  it('skips steps already done (a run resumed after a crash)', async () => {
    const { runner, executor } = setup(operationOf('create_site', ['succeeded', 'running']));
    await runner.run(7, { finalAttempt: false });
    expect(executor.calls).toEqual(['router.ensure_routes']);
  });

  it('asks to retry later on a transient failure, showing why on the step', async () => {
    const { runner, store } = setup(operationOf('create_site'), new ScriptedExecutor({ 'orchestrator.ensure_site': [unreachable()] }));
    await expect(runner.run(7, { finalAttempt: false })).rejects.toBeInstanceOf(RetryLaterError);
    expect(store.operation.state).toBe('running');
    expect(store.operation.steps[0]).toMatchObject({
      state: 'retrying',
      message: 'Could not reach orchestrator (http://x): ECONNREFUSED. Retrying automatically.',
    });
    expect(store.endings).toEqual([]);
  });

  it('fails the operation on the last attempt of a transient failure', async () => {
    const { runner, store } = setup(operationOf('create_site'), new ScriptedExecutor({ 'orchestrator.ensure_site': [unreachable()] }));
    await expect(runner.run(7, { finalAttempt: true })).rejects.toBeInstanceOf(OperationFailedError);
    expect(store.operation.state).toBe('failed');
    expect(store.endings[0]?.siteEffect).toEqual({ kind: 'set-state', siteId: 3, state: 'failed' });
  });

  it('fails at once on a permanent error, naming the step and what to do', async () => {
    const conflict = new DaisError('HOSTNAME_CONFLICT', 'blog.dais.localhost already belongs to site 9.');
    const { runner, store, executor } = setup(operationOf('create_site'), new ScriptedExecutor({ 'router.ensure_routes': [conflict] }));
    await expect(runner.run(7, { finalAttempt: false })).rejects.toBeInstanceOf(OperationFailedError);
    expect(executor.calls).toEqual(['orchestrator.ensure_site', 'router.ensure_routes']);
    expect(store.operation.steps.map((step) => step.state)).toEqual(['succeeded', 'failed']);
    expect(store.operation.steps[1]?.message).toBe('blog.dais.localhost already belongs to site 9.');
    expect(store.operation.error).toMatch(
      /^"Route the site's hostnames at the edge" failed: blog\.dais\.localhost already belongs to site 9\. .*retry/,
    );
  });

  it('retries unexpected errors but never shows their internals', async () => {
    const { runner, store } = setup(
      operationOf('create_site'),
      new ScriptedExecutor({ 'orchestrator.ensure_site': [new Error('password=hunter2 at pg.connect')] }),
    );
    await expect(runner.run(7, { finalAttempt: false })).rejects.toBeInstanceOf(RetryLaterError);
    expect(store.operation.steps[0]?.message).toMatch(
      /^An unexpected error happened \(reference [0-9a-f-]{36}\)\. Retrying automatically\.$/,
    );
  });

  it('waits while an earlier operation of the same site is unfinished, touching nothing', async () => {
    const { runner, store, executor } = setup(operationOf('delete_site'));
    store.earlierUnfinished = true;
    await expect(runner.run(7, { finalAttempt: false })).resolves.toBe('wait');
    expect(executor.calls).toEqual([]);
    expect(store.operation.state).toBe('pending');
  });

  it('does nothing for an operation that already finished (a duplicate job)', async () => {
    const operation = operationOf('create_site', ['succeeded', 'succeeded']);
    operation.state = 'succeeded';
    const { runner, executor, events } = setup(operation);
    await expect(runner.run(7, { finalAttempt: false })).resolves.toBe('finished');
    expect(executor.calls).toEqual([]);
    expect(events.views).toEqual([]);
  });

  it('announces every change so a watcher sees each step start and end', async () => {
    const { runner, events } = setup(operationOf('create_site'));
    await runner.run(7, { finalAttempt: false });
    expect(events.views.map((view) => `${view.state}:${view.steps.map((step) => step.state).join('/')}`)).toEqual([
      'running:pending/pending',
      'running:running/pending',
      'running:succeeded/pending',
      'running:succeeded/running',
      'running:succeeded/succeeded',
      'succeeded:succeeded/succeeded',
    ]);
  });

  it("shows a long step's progress as its message while it runs", async () => {
    const executor = new ScriptedExecutor({}, { 'orchestrator.ensure_site': ['Building: step 1/3', 'Building: step 2/3'] });
    const { runner, events } = setup(operationOf('create_site'), executor);
    await runner.run(7, { finalAttempt: false });
    expect(events.views.map((view) => view.steps[0]?.message).filter(Boolean)).toEqual(['Building: step 1/3', 'Building: step 2/3']);
  });

  it('keeps the note a succeeded step returns as its message (what a component repaired), and clears progress lines', async () => {
    const note = 'public was a symbolic link, not a folder: Dais moved it aside and made an empty public folder.';
    const executor = new ScriptedExecutor({ 'orchestrator.ensure_site': [{ note }] }, { 'router.ensure_routes': ['working'] });
    const { runner, store } = setup(operationOf('create_site'), executor);
    await runner.run(7, { finalAttempt: false });
    expect(store.operation.steps.map((step) => [step.state, step.message])).toEqual([
      ['succeeded', note],
      ['succeeded', null],
    ]);
  });

  it.each([
    ['update_site', 'succeeded', { kind: 'set-state', siteId: 3, state: 'active' }],
    ['update_site', 'failed', { kind: 'none' }],
    ['delete_database', 'succeeded', { kind: 'delete-database', siteId: 3 }],
    ['delete_database', 'failed', { kind: 'none' }],
    ['restart_site', 'succeeded', { kind: 'none' }],
  ] as const)('ends a %s that %s with the site effect %j', async (kind, outcome, effect) => {
    const failing = new ScriptedExecutor(
      Object.fromEntries(
        stepsFor(kind, { type: 'static', hasDatabase: true }).map((step) => [step, [new DaisError('VALIDATION_FAILED', 'no')]]),
      ),
    );
    const { runner, store } = setup(operationOf(kind), outcome === 'failed' ? failing : new ScriptedExecutor());
    await runner.run(7, { finalAttempt: false }).catch(() => undefined);
    expect(store.endings[0]?.siteEffect).toEqual(effect);
  });

  it('says once that the operation ended, after its last change, whether it succeeded or failed', async () => {
    const succeeded = setup(operationOf('create_site'));
    await succeeded.runner.run(7, { finalAttempt: false });
    expect(succeeded.events.ended).toEqual([7]);
    const failed = setup(operationOf('create_site'), new ScriptedExecutor({ 'orchestrator.ensure_site': [unreachable()] }));
    await failed.runner.run(7, { finalAttempt: true }).catch(() => undefined);
    expect(failed.events.ended).toEqual([7]);
    const retrying = setup(operationOf('create_site'), new ScriptedExecutor({ 'orchestrator.ensure_site': [unreachable()] }));
    await retrying.runner.run(7, { finalAttempt: false }).catch(() => undefined);
    expect(retrying.events.ended).toEqual([]);
  });

  it.each([
    ['update_site', 'succeeded', 'activate'],
    ['repair_site', 'succeeded', 'activate'],
    ['update_site', 'failed', 'fail'],
    ['delete_site', 'succeeded', 'none'],
    ['restart_site', 'failed', 'none'],
  ] as const)('ends a %s that %s with the domain effect %s', async (kind, outcome, effect) => {
    const refusal = new DaisError('HOSTNAME_CONFLICT', 'www.example.org already belongs to site 9.');
    const failing = new ScriptedExecutor(
      Object.fromEntries(stepsFor(kind, { type: 'static', hasDatabase: false }).map((step) => [step, [refusal]])),
    );
    const operation = operationOf(kind);
    const { runner, store } = setup(operation, outcome === 'failed' ? failing : new ScriptedExecutor());
    await runner.run(7, { finalAttempt: false }).catch(() => undefined);
    const expected =
      effect === 'none'
        ? { kind: 'none' }
        : effect === 'activate'
          ? { kind: 'activate', siteId: 3, upTo: operation.createdAt }
          : { kind: 'fail', siteId: 3, upTo: operation.createdAt, message: 'www.example.org already belongs to site 9.' };
    expect(store.endings[0]?.domainEffect).toEqual(expected);
  });

  it('stops without writing anything more when the operation was ended while a step ran (the sweeper gave up on it)', async () => {
    const operation = operationOf('create_site');
    const store = new FakeStore(operation);
    const executor: StepExecutor = {
      execute: () => {
        store.operation.state = 'failed';
        return Promise.resolve(undefined);
      },
    };
    const runner = new OperationRunner(store, executor, new RecordingEvents());
    await expect(runner.run(7, { finalAttempt: false })).rejects.toBeInstanceOf(OperationFailedError);
    expect(store.operation.steps.map((step) => step.state)).toEqual(['running', 'pending']);
    expect(store.endings).toEqual([]);
  });

  it('keeps going when live updates cannot be sent', async () => {
    const { runner, store, events } = setup(operationOf('create_site'));
    events.fail = true;
    await runner.run(7, { finalAttempt: false });
    expect(store.operation.state).toBe('succeeded');
  });
});
