import { describe, expect, it } from 'vitest';
import { NonceCache } from './nonce-cache';

describe('nonce cache', () => {
  it('remembers a nonce until it expires, then forgets it', () => {
    const cache = new NonceCache();
    expect(cache.remember('a', 1_000, 0)).toBe(true);
    expect(cache.remember('a', 1_000, 500)).toBe(false);
    expect(cache.remember('b', 3_000, 2_000)).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('refuses new nonces when full instead of forgetting live ones', () => {
    const cache = new NonceCache(2);
    expect(cache.remember('a', 1_000, 0)).toBe(true);
    expect(cache.remember('b', 1_000, 0)).toBe(true);
    expect(cache.remember('c', 1_000, 0)).toBe(false);
    expect(cache.remember('a', 1_000, 0)).toBe(false);
  });
});
