import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDaisError } from '@dais/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dir';
import { FileChallengeStore } from './file-challenge-store';

describe('file challenge store', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: FileChallengeStore;

  beforeEach(async () => {
    dir = await tempDir('challenges');
    store = new FileChallengeStore(join(dir.path, 'challenges'));
    await store.init();
  });
  afterEach(() => dir.remove());

  it('publishes an answer world-readable under its token and withdraws it', async () => {
    await store.put('AennbVq7CiJHKRJIDqk92a6BePLgekN16yEj9J2Lr5c', 'AennbVq7CiJHKRJIDqk92a6BePLgekN16yEj9J2Lr5c.thumb-print_1');
    const file = join(store.servedDir, 'AennbVq7CiJHKRJIDqk92a6BePLgekN16yEj9J2Lr5c');
    expect(await readFile(file, 'utf8')).toBe('AennbVq7CiJHKRJIDqk92a6BePLgekN16yEj9J2Lr5c.thumb-print_1');
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect((await stat(store.servedDir)).mode & 0o777).toBe(0o755);
    await store.remove('AennbVq7CiJHKRJIDqk92a6BePLgekN16yEj9J2Lr5c');
    await store.remove('AennbVq7CiJHKRJIDqk92a6BePLgekN16yEj9J2Lr5c');
    expect(await readdir(store.servedDir)).toEqual([]);
  });

  it.each([['../../account.key'], ['a/b'], ['.hidden'], [''], ['a'.repeat(129)], ['tok\0en'], ['tok en'], ['tok;en'], ['%2e%2e']])(
    'refuses token %j and writes nothing',
    async (token) => {
      for (const attempt of [store.put(token, 'answer'), store.remove(token)]) {
        expect(isDaisError(await attempt.catch((error: unknown) => error), 'VALIDATION_FAILED')).toBe(true);
      }
      expect(await readdir(store.servedDir)).toEqual([]);
      expect(await readdir(dir.path)).toEqual(['challenges', 'challenges.staging']);
    },
  );

  it.each([['with space'], ['line\nbreak'], [''], ['x'.repeat(513)], ['<script>']])('refuses answer %j', async (content) => {
    expect(isDaisError(await store.put('token', content).catch((error: unknown) => error), 'VALIDATION_FAILED')).toBe(true);
    expect(await readdir(store.servedDir)).toEqual([]);
  });
});
