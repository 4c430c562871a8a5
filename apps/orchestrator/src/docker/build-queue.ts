interface Waiter {
  start: () => void;
  onWaiting: (ahead: number) => void;
}

/**
 * At most `slots` image builds at once on this host; the rest wait in arrival order. A waiting
 * build is told how many builds must finish before it starts, again each time that number drops.
 */
export class BuildQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new Error(`a build queue needs at least one slot, not ${slots}`);
  }

  /** Builds running now. */
  get active(): number {
    return this.running;
  }

  /** Runs `task` once a slot is free; `onWaiting` hears the count of builds ahead while it waits. */
  async run<T>(task: () => Promise<T>, onWaiting: (ahead: number) => void): Promise<T> {
    if (this.running < this.slots && this.waiting.length === 0) {
      this.running++;
    } else {
      await new Promise<void>((start) => {
        this.waiting.push({ start, onWaiting });
        onWaiting(this.waiting.length);
      });
    }
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.running--;
      return;
    }
    // The slot passes straight to the next build; everyone behind it moves up one place.
    next.start();
    this.waiting.forEach((waiter, index) => waiter.onWaiting(index + 1));
  }
}
