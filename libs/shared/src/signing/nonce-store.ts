import { NonceCache } from './nonce-cache';

/**
 * Where a receiver remembers what it already accepted (request nonces, shell-token nonces, SSH
 * sign-in proofs), so each is accepted once. Every process that can receive the same request must
 * share one store: the manager's API processes share Redis, an orchestrator or router keeps a file
 * that outlives its restarts.
 */
export interface NonceStore {
  /**
   * Records `key` until `expiresAt` (ms since the epoch): resolves true the first time, false while
   * the key is remembered (a replay). Rejects with `REPLAY_CHECK_UNAVAILABLE` when it cannot tell,
   * so a receiver fails closed.
   */
  remember(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** A {@link NonceStore} in this process's memory only: for unit tests and one-process tools, never a server. */
export class MemoryNonceStore implements NonceStore {
  private readonly cache: NonceCache;

  constructor(maxEntries?: number) {
    this.cache = new NonceCache(maxEntries);
  }

  remember(key: string, expiresAt: number, now: number): Promise<boolean> {
    return Promise.resolve(this.cache.remember(key, expiresAt, now));
  }
}
