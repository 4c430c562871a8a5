/** A window's events as stored on disk: per key, the newest event times (ms since epoch). */
export interface SlidingWindowSnapshot {
  /** Until then every key counts as full (set when the saved counts could not be read). */
  saturatedUntil?: number;
  events: [key: string, times: number[]][];
}

/**
 * Counts events per key over the last `windowMs`, the way the ACME server's rate limits do.
 * Only the newest `limit` events of a key matter to a decision, so no more are kept: memory and
 * the saved file stay small whatever a caller floods it with.
 */
export class SlidingWindow {
  private readonly events = new Map<string, number[]>();
  private saturatedUntil = 0;

  constructor(
    readonly windowMs: number,
    readonly limit: number,
  ) {}

  /** Rebuilds a window from what {@link toSnapshot} saved. */
  static fromSnapshot(windowMs: number, limit: number, snapshot: SlidingWindowSnapshot | undefined): SlidingWindow {
    const window = new SlidingWindow(windowMs, limit);
    window.saturatedUntil = snapshot?.saturatedUntil ?? 0;
    for (const [key, times] of snapshot?.events ?? []) for (const time of times) window.record(key, time);
    return window;
  }

  /** Treats every key as full until `until` (nothing is known about what happened before). */
  saturate(until: number): void {
    this.saturatedUntil = Math.max(this.saturatedUntil, until);
  }

  /** Adds one event for `key` at `time`. */
  record(key: string, time: number): void {
    const times = this.events.get(key) ?? [];
    // Nearly always an append; an older time (a clock stepped back) is put in its place.
    let index = times.length;
    while (index > 0 && (times[index - 1] ?? 0) > time) index -= 1;
    times.splice(index, 0, time);
    if (times.length > this.limit) times.splice(0, times.length - this.limit);
    this.events.set(key, times);
  }

  /** Events of `key` still inside the window at `now` (at most `limit`). */
  count(key: string, now: number): number {
    return this.live(key, now).length;
  }

  /**
   * When `key` may have one more event: null if it may now, else the moment the oldest event
   * that keeps it at the limit leaves the window.
   */
  freeAt(key: string, now: number): number | null {
    if (now < this.saturatedUntil) return this.saturatedUntil;
    const live = this.live(key, now);
    if (live.length < this.limit) return null;
    return (live[live.length - this.limit] ?? now) + this.windowMs;
  }

  /** True while the window is saturated (its saved counts were lost). */
  isSaturated(now: number): boolean {
    return now < this.saturatedUntil;
  }

  /** Drops events that have left the window, and keys left without events. */
  prune(now: number): void {
    for (const [key, times] of this.events) {
      const live = times.filter((time) => time > now - this.windowMs);
      if (live.length === 0) this.events.delete(key);
      else if (live.length !== times.length) this.events.set(key, live);
    }
    if (this.saturatedUntil <= now) this.saturatedUntil = 0;
  }

  /** What to save so a restart keeps counting where this one stopped. */
  toSnapshot(): SlidingWindowSnapshot {
    return {
      ...(this.saturatedUntil > 0 ? { saturatedUntil: this.saturatedUntil } : {}),
      events: [...this.events].map(([key, times]) => [key, [...times]]),
    };
  }

  private live(key: string, now: number): number[] {
    // Events "in the future" (the clock stepped back) still count: forgetting them could overshoot.
    return (this.events.get(key) ?? []).filter((time) => time > now - this.windowMs);
  }
}
