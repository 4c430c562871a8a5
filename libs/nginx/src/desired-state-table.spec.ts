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
