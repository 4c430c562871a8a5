/**
 * Runs tasks one at a time per key (e.g. per site), in arrival order, while different keys run
 * in parallel. Keys with nothing queued are forgotten, so memory follows the work in flight.
 */
export class KeyedLock<K> {
  private readonly tails = new Map<K, Promise<unknown>>();

  /** Runs `task` after every earlier task for `key` has settled. */
  run<T>(key: K, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
