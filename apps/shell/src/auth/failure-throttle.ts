/** Settings of a {@link FailureThrottle}. */
export interface FailureThrottleOptions {
  /** Delay after the first failure; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures older than this are forgotten. */
  windowMs?: number;
  /** Most addresses and names remembered at once (oldest forgotten first), so floods cannot exhaust memory. */
  maxEntries?: number;
  now?: () => number;
}

interface Record {
  failures: number;
  lastAt: number;
}

/**
 * Slows down password and key guessing before the manager is even asked: after a failed sign-in,
 * the answer to the next attempt from the same address or for the same user name waits longer
 * (doubling, up to a ceiling). The manager's own limiter then locks the account for real.
 */
export class FailureThrottle {
  private readonly byAddress = new Map<string, Record>();
  private readonly byName = new Map<string, Record>();
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: FailureThrottleOptions) {
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** How long to hold a failed attempt's answer from this address for this name. */
  delayFor(address: string, username: string): number {
    const failures = Math.max(this.failuresOf(this.byAddress, address), this.failuresOf(this.byName, username));
    if (failures === 0) return 0;
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(failures - 1, 20));
  }

  /** Records a failed attempt; returns the delay to apply before answering it. */
  recordFailure(address: string, username: string): number {
    this.bump(this.byAddress, address);
    this.bump(this.byName, username);
    return this.delayFor(address, username);
  }

  /** A successful sign-in clears its name (the address may still be guessing other names). */
  recordSuccess(username: string): void {
    this.byName.delete(username);
  }

  private failuresOf(map: Map<string, Record>, key: string): number {
    const entry = map.get(key);
    if (!entry) return 0;
    if (this.now() - entry.lastAt > this.windowMs) {
      map.delete(key);
      return 0;
    }
    return entry.failures;
  }

  private bump(map: Map<string, Record>, key: string): void {
    const failures = this.failuresOf(map, key) + 1;
    map.delete(key); // Re-inserted last, so the map's order is oldest-first for eviction.
    map.set(key, { failures, lastAt: this.now() });
    if (map.size > this.maxEntries) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
  }
}
