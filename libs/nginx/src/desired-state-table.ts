import { isDeepStrictEqual } from 'node:util';
import { DaisError, isDaisError } from '@dais/shared';

/** How a {@link DesiredStateTable} makes its state real and durable. */
export interface DesiredStateTableOptions<V> {
  /** Renders and applies the whole state; resolves with the nginx generation now serving it. */
  apply(state: ReadonlyMap<number, V>): Promise<number>;
  /**
   * Refuses a change that conflicts with the rest of the state (e.g. a hostname another key
   * holds). `state` may still hold the key's previous value: compare against other keys only.
   */
  validate?(key: number, value: V, state: ReadonlyMap<number, V>): void;
  /** Records applied changes (null = removed) so they survive a restart. */
  persist(changes: ReadonlyMap<number, V | null>): Promise<void>;
  /**
   * Records a whole state at once, after a batch that replaced it (cheaper than one write per
   * key); without it, the keys that changed go through `persist`.
   */
  persistAll?(state: ReadonlyMap<number, V>): Promise<void>;
  /**
   * The error a refused change is rejected with (e.g. one naming the hostname at fault, with
   * nginx's own text kept for the log); the error as it came by default.
   */
  explainRefusal?(key: number, value: V | null, previous: V | undefined, error: unknown): unknown;
}

/** What a queued change does: set or remove one key, replace the whole state, or apply again as it is. */
type Change<V> = { kind: 'set'; key: number; value: V | null } | { kind: 'replace'; state: ReadonlyMap<number, V> } | { kind: 'refresh' };

/** What a whole-state replacement changed, against the state it replaced. */
export interface StateReplaced {
  generation: number;
  /** Keys present now and not before. */
  added: number[];
  /** Keys present before and not now. */
  removed: number[];
  /** Keys present before and now with another value. */
  changed: number[];
}

interface PendingChange<V> {
  change: Change<V>;
  /** `before` is the state this change was applied over, once it is committed. */
  resolve(generation: number, before: ReadonlyMap<number, V>): void;
  reject(error: unknown): void;
}

/**
 * The desired state of one nginx tier, keyed by site id. Changes that arrive while an apply is
 * running are batched into the next one, so a burst of changes costs one reload. If nginx refuses
 * a batch, it is split in halves until the bad change stands alone, so one bad site cannot block
 * the others and finding it costs about 2·log2(batch) reloads. A whole-state replacement takes its
 * place in the same queue, so changes queued before it are overwritten by it and changes queued
 * after it apply on top of it: the outcome is always that of some order of the calls.
 */
export class DesiredStateTable<V> {
  private committed: Map<number, V>;
  private queue: PendingChange<V>[] = [];
  private running = false;
  private lastGeneration = 0;

  constructor(
    initial: ReadonlyMap<number, V>,
    private readonly options: DesiredStateTableOptions<V>,
  ) {
    this.committed = new Map(initial);
  }

  /** The value currently applied for a key. */
  get(key: number): V | undefined {
    return this.committed.get(key);
  }

  /** The nginx generation that serves the current state (0 before the first apply). */
  get generation(): number {
    return this.lastGeneration;
  }

  /** Everything currently applied. */
  get state(): ReadonlyMap<number, V> {
    return this.committed;
  }

  /** Sets (or with null, removes) a key; resolves with the generation that made it live. */
  set(key: number, value: V | null): Promise<number> {
    return this.enqueue({ kind: 'set', key, value });
  }

  /**
   * Replaces the whole state at once, in one apply (the caller validates it as a whole first:
   * per-key `validate` is not run on it); resolves with what changed once it is live. Saved
   * through `persistAll` when given (one write), else as the keys that changed.
   */
  replaceAll(state: ReadonlyMap<number, V>): Promise<StateReplaced> {
    const next = new Map(state);
    return new Promise<StateReplaced>((resolve, reject) => {
      this.queue.push({
        change: { kind: 'replace', state: next },
        resolve: (generation, before) => resolve({ generation, ...difference(before, next) }),
        reject,
      });
      void this.drain();
    });
  }

  /**
   * Renders and applies the current state again, in turn with other changes (so it can never
   * apply a stale state over a newer one): at startup, after observed state the render reads
   * changed (a container's address), or to repair a config changed by hand.
   */
  reapply(): Promise<number> {
    return this.enqueue({ kind: 'refresh' });
  }

  private enqueue(change: Change<V>): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        await this.applyBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async applyBatch(batch: PendingChange<V>[]): Promise<void> {
    const candidate = new Map(this.committed);
    const accepted: PendingChange<V>[] = [];
    for (const change of batch) {
      try {
        const { change: what } = change;
        if (what.kind === 'set' && what.value !== null) this.options.validate?.(what.key, what.value, candidate);
        applyChange(candidate, what);
        accepted.push(change);
      } catch (error) {
        change.reject(error);
      }
    }
    if (accepted.length > 0) await this.applyGroup(accepted);
  }

  /** Applies a group; if nginx refuses it, halves it until the refused changes stand alone. */
  private async applyGroup(changes: PendingChange<V>[]): Promise<void> {
    const candidate = new Map(this.committed);
    for (const change of changes) applyChange(candidate, change.change);
    try {
      await this.commit(candidate, changes);
    } catch (error) {
      if (changes.length > 1 && isDaisError(error, 'NGINX_CONFIG_REJECTED')) {
        const middle = Math.ceil(changes.length / 2);
        await this.applyGroup(changes.slice(0, middle));
        await this.applyGroup(changes.slice(middle));
      } else {
        for (const change of changes) change.reject(this.explain(change, error));
      }
    }
  }

  private explain(change: PendingChange<V>, error: unknown): unknown {
    const what = change.change;
    if (what.kind !== 'set' || !this.options.explainRefusal) return error;
    return this.options.explainRefusal(what.key, what.value, this.committed.get(what.key), error);
  }

  /** Applies the candidate; throws if nginx refuses it, else settles every change's promise. */
  private async commit(candidate: Map<number, V>, changes: PendingChange<V>[]): Promise<void> {
    const generation = await this.options.apply(candidate);
    const before = this.committed;
    this.committed = candidate;
    this.lastGeneration = generation;
    try {
      const replaced = changes.some(({ change }) => change.kind === 'replace');
      if (replaced && this.options.persistAll) await this.options.persistAll(candidate);
      else await this.options.persist(persistedChanges(before, candidate, changes));
    } catch (error) {
      // nginx already serves the change; the caller retries and the write is repeated.
      const failure = new DaisError('FILESYSTEM_ERROR', 'The change is live but could not be saved to disk; retry it.', undefined, {
        cause: error,
      });
      for (const change of changes) change.reject(failure);
      return;
    }
    const priorStates = statesBeforeReplacements(before, changes);
    for (const change of changes) change.resolve(generation, priorStates.get(change) ?? before);
  }
}

/** The state just before each replacement of a batch, so it reports what it changed itself. */
function statesBeforeReplacements<V>(
  before: ReadonlyMap<number, V>,
  changes: PendingChange<V>[],
): Map<PendingChange<V>, ReadonlyMap<number, V>> {
  const priorStates = new Map<PendingChange<V>, ReadonlyMap<number, V>>();
  if (!changes.some(({ change }) => change.kind === 'replace')) return priorStates;
  const running = new Map(before);
  for (const pending of changes) {
    if (pending.change.kind === 'replace') priorStates.set(pending, new Map(running));
    applyChange(running, pending.change);
  }
  return priorStates;
}

function applyChange<V>(state: Map<number, V>, change: Change<V>): void {
  switch (change.kind) {
    case 'refresh':
      return;
    case 'set':
      if (change.value === null) state.delete(change.key);
      else state.set(change.key, change.value);
      return;
    case 'replace':
      state.clear();
      for (const [key, value] of change.state) state.set(key, value);
      return;
  }
}

/**
 * What to write to disk: every key a per-key change named (as before, so a repeated change repairs
 * its file), and for a replacement only the keys whose value differs from what was committed.
 */
function persistedChanges<V>(
  before: ReadonlyMap<number, V>,
  after: ReadonlyMap<number, V>,
  changes: PendingChange<V>[],
): Map<number, V | null> {
  const persisted = new Map<number, V | null>();
  if (changes.some(({ change }) => change.kind === 'replace')) {
    const { added, removed, changed } = difference(before, after);
    for (const key of [...added, ...changed]) persisted.set(key, after.get(key) ?? null);
    for (const key of removed) persisted.set(key, null);
  }
  for (const { change } of changes) if (change.kind === 'set') persisted.set(change.key, after.get(change.key) ?? null);
  return persisted;
}

/** Keys added, removed and changed between two states. */
function difference<V>(before: ReadonlyMap<number, V>, after: ReadonlyMap<number, V>): Omit<StateReplaced, 'generation'> {
  const added: number[] = [];
  const changed: number[] = [];
  for (const [key, value] of after) {
    if (!before.has(key)) added.push(key);
    else if (!isDeepStrictEqual(before.get(key), value)) changed.push(key);
  }
  const removed = [...before.keys()].filter((key) => !after.has(key));
  return { added, removed, changed };
}
