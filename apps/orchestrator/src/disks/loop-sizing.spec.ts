import { describe, expect, it } from 'vitest';
import { imageMibFor, limitOfImage, MIB } from './loop-sizing';

describe('loop image sizing', () => {
  it('grows with the limit and leaves room for ext4 bookkeeping', () => {
    let previous = 0;
    for (let limit = 16; limit <= 600_000; limit += limit < 2_048 ? 1 : 997) {
      const image = imageMibFor(limit);
      expect(image).toBeGreaterThan(previous);
      expect(image).toBeGreaterThanOrEqual(limit * 1.04 + 8);
      previous = image;
    }
  });

  it.each([16, 17, 32, 100, 1_024, 4_096, 20_480, 1_048_576])('reads the limit %i back from its image size', (limit) => {
    expect(limitOfImage(imageMibFor(limit) * MIB)).toBe(limit);
    expect(limitOfImage(imageMibFor(limit) * MIB + MIB - 1)).toBe(limit);
  });
});
