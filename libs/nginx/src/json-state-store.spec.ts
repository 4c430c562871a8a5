import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tempDir } from '../../../test/support/temp-dir';
import { JsonStateStore } from './json-state-store';

const schema = z.strictObject({ name: z.string() });
type Entry = z.output<typeof schema>;

const entries = (...pairs: [number, string][]) => new Map<number, Entry>(pairs.map(([key, name]) => [key, { name }]));

/** Polls until the folder's names satisfy `check` (stale files are removed in the background). */
async function namesEventually(dir: string, check: (names: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  let names = await readdir(dir);
  while (!check(names) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    names = await readdir(dir);
  }
  return names.sort();
}

async function withStore(test: (dir: string, store: () => JsonStateStore<typeof schema>) => Promise<void>): Promise<void> {
  const dir = await tempDir('json-state-store');
  try {
    await test(dir.path, () => new JsonStateStore(dir.path, schema));
  } finally {
    await dir.remove();
  }
}

describe('JsonStateStore', () => {
  it('replaces a state kept one file per key with one snapshot, read back by a fresh store', () =>
    withStore(async (dir, store) => {
      await store().persist(entries([1, 'one'], [2, 'two']));
      const writer = store();
      await writer.loadAll();
      await writer.replaceAll(entries([2, 'TWO'], [3, 'three']));
      const { entries: loaded, unreadable } = await store().loadAll();
      expect([...loaded]).toEqual([...entries([2, 'TWO'], [3, 'three'])]);
      expect(unreadable).toEqual([]);
      // The old per-key files go; what else shares the folder (acme-policy/) stays.
      expect(await namesEventually(dir, (names) => !names.includes('1.json'))).toEqual(['current', expect.stringMatching(/^state-/)]);
    }));

  it('keeps single-key changes made after a snapshot, removals included', () =>
    withStore(async (_dir, store) => {
      const writer = store();
      await writer.replaceAll(entries([1, 'one'], [2, 'two'], [3, 'three']));
      await writer.persist(
        new Map<number, Entry | null>([
          [2, null],
          [4, { name: 'four' }],
          [1, { name: 'ONE' }],
        ]),
      );
      expect([...(await store().loadAll()).entries].sort(([a], [b]) => a - b)).toEqual([...entries([1, 'ONE'], [3, 'three'], [4, 'four'])]);
    }));

  it('leaves one snapshot folder after several replacements, and the last state wins', () =>
    withStore(async (dir, store) => {
      const writer = store();
      for (let round = 1; round <= 3; round++) await writer.replaceAll(entries([round, `round ${round}`]));
      expect([...(await store().loadAll()).entries]).toEqual([...entries([3, 'round 3'])]);
      const names = await namesEventually(dir, (list) => list.filter((name) => name.startsWith('state-')).length === 1);
      expect(names.filter((name) => name.startsWith('state-'))).toHaveLength(1);
    }));

  // A clean-up running beside the next whole write used to delete the folder that write had just made live.
  it('keeps the live state through whole writes in quick succession, each one’s clean-up included', () =>
    withStore(async (_dir, store) => {
      const writer = store();
      await Promise.all(Array.from({ length: 20 }, (_, round) => writer.replaceAll(entries([round, `round ${round}`]))));
      for (let round = 20; round < 40; round++) await writer.replaceAll(entries([round, `round ${round}`]));
      await writer.replaceAll(entries([1, 'last']));
      const { entries: loaded, unreadable } = await store().loadAll();
      expect(unreadable).toEqual([]);
      expect([...loaded]).toEqual([...entries([1, 'last'])]);
    }));

  it('reports snapshot entries that fail the schema instead of trusting them', () =>
    withStore(async (_dir, store) => {
      const writer = store();
      await writer.replaceAll(
        new Map<number, Entry>([
          [1, { name: 'ok' }],
          [2, { bad: true } as unknown as Entry],
        ]),
      );
      const { entries: loaded, unreadable } = await store().loadAll();
      expect([...loaded.keys()]).toEqual([1]);
      expect(unreadable.map((entry) => entry.file)).toEqual(['snapshot.json#2']);
    }));

  // One file per entry took 2–10 s for 10,000 on this machine's disk (bench/router-fill.ts measures the time).
  it('writes 10,000 entries as a whole into one file, not one file each', () =>
    withStore(async (dir, store) => {
      const many = new Map<number, Entry>(Array.from({ length: 10_000 }, (_, i) => [i + 1, { name: `site-${i}.example.org` }]));
      await store().replaceAll(many);
      expect((await store().loadAll()).entries.size).toBe(10_000);
      const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
      expect(files.map((file) => file.name)).toEqual(['snapshot.json']);
    }));
});
