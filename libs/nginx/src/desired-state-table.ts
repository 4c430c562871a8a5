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
   * The error a refused change is rejected with (e.g. one naming the hostname at fault, with
   * nginx's own text kept for the log); the error as it came by default.
   */
  explainRefusal?(key: number, value: V | null, previous: V | undefined, error: unknown): unknown;
}

interface PendingChange<V> {
  /** Null for a refresh: no change of desired state, but render and apply again. */
  key: number | null;
  value: V | null;
  resolve(generation: number): void;
  reject(error: unknown): void;
}

/**
 * The desired state of one nginx tier, keyed by site id. Changes that arrive while an apply is
 * running are batched into the next one, so a burst of changes costs one reload. If nginx refuses
 * a batch, it is split in halves until the bad change stands alone, so one bad site cannot block
 * the others and finding it costs about 2·log2(batch) reloads.
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
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ key, value, resolve, reject });
      void this.drain();
    });
  }

  /**
   * Renders and applies the current state again, in turn with other changes (so it can never
   * apply a stale state over a newer one): at startup, after observed state the render reads
   * changed (a container's address), or to repair a config changed by hand.
   */
  reapply(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ key: null, value: null, resolve, reject });
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
        if (change.key !== null && change.value !== null) this.options.validate?.(change.key, change.value, candidate);
        applyChange(candidate, change);
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
    for (const change of changes) applyChange(candidate, change);
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
    if (change.key === null || !this.options.explainRefusal) return error;
    return this.options.explainRefusal(change.key, change.value, this.committed.get(change.key), error);
  }

  /** Applies the candidate; throws if nginx refuses it, else settles every change's promise. */
  private async commit(candidate: Map<number, V>, changes: PendingChange<V>[]): Promise<void> {
    const generation = await this.options.apply(candidate);
    this.committed = candidate;
    this.lastGeneration = generation;
    const persisted = new Map<number, V | null>();
    for (const change of changes) if (change.key !== null) persisted.set(change.key, change.value);
    try {
      await this.options.persist(persisted);
    } catch (error) {
      // nginx already serves the change; the caller retries and the write is repeated.
      const failure = new DaisError('FILESYSTEM_ERROR', 'The change is live but could not be saved to disk; retry it.', undefined, {
        cause: error,
      });
      for (const change of changes) change.reject(failure);
      return;
    }
    for (const change of changes) change.resolve(generation);
  }
}

function applyChange<V>(state: Map<number, V>, change: PendingChange<V>): void {
  if (change.key === null) return;
  if (change.value === null) state.delete(change.key);
  else state.set(change.key, change.value);
}
