import { describe, expect, it } from 'vitest';
import { BuildQueue } from './build-queue';

/** A task the test finishes by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('BuildQueue', () => {
  it('runs up to its slots at once and the rest in arrival order, each told how many are ahead', async () => {
    const queue = new BuildQueue(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const heard: Record<number, number[]> = { 0: [], 1: [], 2: [], 3: [] };
    const runs = gates.map((g, index) =>
      queue.run(
        async () => {
          started.push(index);
          await g.promise;
          return index;
        },
        (ahead) => heard[index]!.push(ahead),
      ),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(queue.active).toBe(2);
    expect(heard).toEqual({ 0: [], 1: [], 2: [1], 3: [2] });

    gates[1]!.open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    expect(heard[3]).toEqual([2, 1]);

    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(queue.active).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const queue = new BuildQueue(1);
    await expect(
      queue.run(
        () => Promise.reject(new Error('broken')),
        () => undefined,
      ),
    ).rejects.toThrow('broken');
    expect(
      await queue.run(
        () => Promise.resolve('next'),
        () => undefined,
      ),
    ).toBe('next');
    expect(queue.active).toBe(0);
  });

  it('refuses a queue without slots', () => {
    expect(() => new BuildQueue(0)).toThrow();
  });
});
