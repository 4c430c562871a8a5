import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('keyed lock', () => {
  it('runs tasks for one key in order, even when an earlier one fails', async () => {
    const lock = new KeyedLock<number>();
    const events: string[] = [];
    const first = lock.run(1, async () => {
      await tick(20);
      events.push('a');
      throw new Error('boom');
    });
    const second = lock.run(1, () => {
      events.push('b');
      return Promise.resolve('ok');
    });
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('ok');
    expect(events).toEqual(['a', 'b']);
  });

  it('runs different keys in parallel', async () => {
    const lock = new KeyedLock<number>();
    const events: string[] = [];
    await Promise.all([
      lock.run(1, async () => {
        await tick(30);
        events.push('slow');
      }),
      lock.run(2, () => {
        events.push('fast');
        return Promise.resolve();
      }),
    ]);
    expect(events).toEqual(['fast', 'slow']);
  });
});
