import { describe, expect, it } from 'vitest';
import { hashMaxSize, hashSizing } from './hash-sizing';

/** What nginx's `ngx_hash_init` demands of every key: the entry plus the bucket's end pointer. */
const nginxMinimum = (key: string) => 8 + Math.ceil((key.length + 2) / 8) * 8 + 8;
const name = (length: number, seed = 'a') => {
  const labels: string[] = [];
  let left = length;
  while (left > 0) {
    const label = seed.repeat(Math.min(63, left));
    labels.push(label);
    left -= label.length + 1;
  }
  return labels.join('.').slice(0, length).replace(/\.$/, 'a');
};

describe('nginx hash sizing', () => {
  it('keeps nginx’s defaults for an empty or ordinary set of names', () => {
    expect(hashSizing([])).toEqual({ maxSize: 1024, bucketSize: 128 });
    expect(hashSizing(['blog.dais.localhost', 'shop.example.org'])).toEqual({ maxSize: 1024, bucketSize: 192 });
  });

  it('grows the bucket with the longest name, so a 253-character name fits (384 bytes among many short names)', () => {
    const sizing = hashSizing([...Array.from({ length: 50 }, (_, index) => `site${index}.dais.localhost`), name(253)]);
    expect(sizing.bucketSize).toBe(384);
    expect(sizing.bucketSize).toBeGreaterThanOrEqual(nginxMinimum(name(253)));
    expect(hashSizing(Array.from({ length: 100 }, (_, index) => name(253, String.fromCharCode(97 + (index % 26))))).bucketSize).toBe(1088);
  });

  it('always leaves room for the longest key and is a whole number of cache lines', () => {
    for (const length of [1, 30, 63, 110, 111, 200, 211, 253]) {
      const { bucketSize } = hashSizing([name(length)]);
      expect(bucketSize % 64).toBe(0);
      expect(bucketSize).toBeGreaterThanOrEqual(nginxMinimum(name(length)));
    }
  });

  it('sizes the table maximum from the count, in powers of two', () => {
    expect(hashMaxSize(0)).toBe(1024);
    expect(hashMaxSize(600)).toBe(2048);
    expect(hashMaxSize(10_000)).toBe(32_768);
    expect(hashSizing(Array.from({ length: 10_000 }, (_, index) => `site${index}.dais.localhost`)).maxSize).toBe(32_768);
  });
});
