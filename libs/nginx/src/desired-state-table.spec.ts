import { DaisError } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import { DesiredStateTable } from './desired-state-table';

/** A table whose "nginx" refuses any state holding the value 'bad', recording every explanation asked for. */
function tableWithRefusals(initial: [number, string][] = [[2, 'old']]) {
  const explained: unknown[][] = [];
  const applied: string[][] = [];
  const table = new DesiredStateTable<string>(new Map(initial), {
    apply: (state) => {
      if ([...state.values()].includes('bad')) return Promise.reject(new DaisError('NGINX_CONFIG_REJECTED', 'raw nginx text'));
      applied.push([...state.values()]);
      return Promise.resolve(applied.length);
    },
    persist: () => Promise.resolve(),
    explainRefusal: (key, value, previous, error) => {
      explained.push([key, value, previous, (error as Error).message]);
      return new DaisError('NGINX_CONFIG_REJECTED', `site ${key} explained`);
    },
  });
  return { table, explained, applied };
}

describe('DesiredStateTable refusals', () => {
  it('isolates the refused change and rejects it with the explanation, given its value and the previous one', async () => {
    const { table, explained } = tableWithRefusals();
    const results = await Promise.allSettled([table.set(1, 'good'), table.set(2, 'bad'), table.set(3, 'fine')]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as Error).message).toBe('site 2 explained');
    expect(explained).toEqual([[2, 'bad', 'old', 'raw nginx text']]);
    expect(table.get(2)).toBe('old');
    expect(table.get(3)).toBe('fine');
  });

  it('leaves the error of a re-apply as it is: no change, no site to name', async () => {
    const { table, explained } = tableWithRefusals([[5, 'bad']]);
    await expect(table.reapply()).rejects.toThrow('raw nginx text');
    expect(explained).toEqual([]);
  });
});

/** A table whose "nginx" accepts everything, remembering what it applied and what was persisted. */
function recordingTable(initial: [number, string][] = []) {
  const applied: Map<number, string>[] = [];
  const persisted: Map<number, string | null>[] = [];
  let holdNext = false;
  let releaseApply: () => void = () => undefined;
  const table = new DesiredStateTable<string>(new Map(initial), {
    apply: async (state) => {
      applied.push(new Map(state));
      // The first apply can be held open, so later calls queue behind it.
      if (holdNext) {
        holdNext = false;
        await new Promise<void>((resolve) => (releaseApply = resolve));
      }
      return applied.length;
    },
    persist: (changes) => {
      persisted.push(new Map(changes));
      return Promise.resolve();
    },
  });
  return {
    table,
    applied,
    persisted,
    holdNextApply: () => (holdNext = true),
    release: () => releaseApply(),
  };
}

describe('DesiredStateTable.replaceAll', () => {
  it('replaces the whole state in one apply and reports what was added, removed and changed', async () => {
    const { table, applied } = recordingTable([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    const replaced = await table.replaceAll(
      new Map([
        [2, 'two'],
        [3, 'THREE'],
        [4, 'four'],
      ]),
    );
    expect(replaced).toEqual({ generation: 1, added: [4], removed: [1], changed: [3] });
    expect(applied).toHaveLength(1);
    expect([...table.state]).toEqual([
      [2, 'two'],
      [3, 'THREE'],
      [4, 'four'],
    ]);
  });

  it('persists only what changed, so the same state again writes nothing', async () => {
    const { table, persisted } = recordingTable([[1, 'one']]);
    await table.replaceAll(new Map([[2, 'two']]));
    expect([...(persisted[0] ?? [])]).toEqual([
      [2, 'two'],
      [1, null],
    ]);
    await table.replaceAll(new Map([[2, 'two']]));
    expect([...(persisted[1] ?? [])]).toEqual([]);
  });

  it('keeps the old state when nginx refuses the replacement', async () => {
    const { table } = tableWithRefusals([[1, 'kept']]);
    await expect(table.replaceAll(new Map([[1, 'bad']]))).rejects.toThrow('raw nginx text');
    expect([...table.state]).toEqual([[1, 'kept']]);
  });

  it('orders per-key changes around a replacement as they were called, and reports changes against the state just before it', async () => {
    const { table, applied, holdNextApply, release } = recordingTable([[1, 'one']]);
    holdNextApply();
    const first = table.set(1, 'held');
    // Queued behind the held apply: one batch of set → replace → set.
    const before = table.set(5, 'overwritten');
    const replaced = table.replaceAll(
      new Map([
        [1, 'bulk'],
        [2, 'bulk'],
      ]),
    );
    const after = table.set(2, 'after');
    release();
    await Promise.all([first, before, after]);
    expect(await replaced).toMatchObject({ added: [2], removed: [5], changed: [1] });
    expect([...table.state]).toEqual([
      [1, 'bulk'],
      [2, 'after'],
    ]);
    // One apply for the held change, one for the whole batch.
    expect(applied).toHaveLength(2);
  });
});
