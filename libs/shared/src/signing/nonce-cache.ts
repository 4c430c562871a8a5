/**
 * Remembers nonces for as long as their timestamp is acceptable, so each signed request is
 * accepted once. Entries expire by time; the cap bounds memory under a flood. This is the
 * in-memory index behind every {@link NonceStore} that lives in one process.
 */
export class NonceCache {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly maxEntries = 1_000_000) {}

  /** Records the nonce; returns false if it was already seen (a replay) or the cache is full. */
  remember(nonce: string, expiresAt: number, now: number): boolean {
    this.prune(now);
    const seen = this.expiries.get(nonce);
    if (seen !== undefined && seen > now) return false;
    if (this.expiries.size >= this.maxEntries) return false;
    this.expiries.set(nonce, expiresAt);
    return true;
  }

  /** Number of nonces currently remembered. */
  get size(): number {
    return this.expiries.size;
  }

  /** The nonces still live at `now`, with their expiry (for rewriting a persisted copy). */
  live(now: number): [nonce: string, expiresAt: number][] {
    this.prune(now);
    return [...this.expiries].filter(([, expiresAt]) => expiresAt > now);
  }

  private prune(now: number): void {
    // Map iterates in insertion order and expiries are (nearly) monotonic, so stop at the first live one.
    for (const [nonce, expiresAt] of this.expiries) {
      if (expiresAt > now) break;
      this.expiries.delete(nonce);
    }
  }
}
