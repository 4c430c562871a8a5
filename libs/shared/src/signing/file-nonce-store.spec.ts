import { appendFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileNonceStore } from './file-nonce-store';

let dir: string;
let file: string;
let clock: number;
const now = () => clock;

async function opened(options: { compactAfterLines?: number } = {}): Promise<FileNonceStore> {
  const store = new FileNonceStore({ file, now, ...options });
  await store.open();
  return store;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dais-nonce-file-'));
  file = join(dir, 'state', 'nonces.log');
  clock = 1_000_000;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the nonce file', () => {
  it('refuses after a restart what it accepted before, until it expires', async () => {
    const before = await opened();
    expect(await before.remember('request:manager:aaaa', clock + 60_000, clock)).toBe(true);
    expect(await before.remember('request:manager:aaaa', clock + 60_000, clock)).toBe(false);
    await before.close();

    const after = await opened();
    expect(await after.remember('request:manager:aaaa', clock + 60_000, clock)).toBe(false);
    expect(await after.remember('request:manager:bbbb', clock + 60_000, clock)).toBe(true);
    await after.close();

    clock += 61_000;
    const later = await opened();
    expect(await later.remember('request:manager:aaaa', clock + 60_000, clock)).toBe(true);
    await later.close();
  });

  it('has the key on disk before remember resolves (a kill -9 right after the answer loses nothing)', async () => {
    const store = await opened();
    await store.remember('request:manager:cccc', clock + 60_000, clock);
    expect(await readFile(file, 'utf8')).toContain(`${clock + 60_000} request:manager:cccc\n`);
    await store.close();
  });

  it('records keys that arrive together in shared writes, each once', async () => {
    const store = await opened();
    const keys = Array.from({ length: 200 }, (_, i) => `request:manager:k${i}`);
    const answers = await Promise.all([...keys, ...keys].map((key) => store.remember(key, clock + 60_000, clock)));
    expect(answers.filter(Boolean)).toHaveLength(200);
    await store.close();
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(200);
  });

  it('skips a torn or foreign line and keeps the rest', async () => {
    const first = await opened();
    await first.remember('request:manager:dddd', clock + 60_000, clock);
    await first.close();
    await appendFile(file, `garbage line\n${clock + 60_000} request:manager:ee`);
    const store = await opened();
    expect(await store.remember('request:manager:dddd', clock + 60_000, clock)).toBe(false);
    expect(await store.remember('request:manager:ee', clock + 60_000, clock)).toBe(false);
    await store.close();
    expect(await readFile(file, 'utf8')).not.toContain('garbage');
  });

  it('compacts: the file keeps only live keys once it has grown', async () => {
    const store = await opened({ compactAfterLines: 50 });
    for (let i = 0; i < 40; i += 1) await store.remember(`request:manager:old${i}`, clock + 1_000, clock);
    clock += 2_000;
    for (let i = 0; i < 20; i += 1) await store.remember(`request:manager:new${i}`, clock + 60_000, clock);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThan(50);
    expect(lines.some((line) => line.includes('old'))).toBe(false);
    expect(await store.remember('request:manager:new3', clock + 60_000, clock)).toBe(false);
    await store.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('leaves the folder it lives in as a plain mkdir makes it (nginx walks through the state folder)', async () => {
    const store = await opened();
    await store.close();
    const plain = join(dir, 'plain');
    await mkdir(plain);
    expect((await stat(dirname(file))).mode & 0o777).toBe((await stat(plain)).mode & 0o777);
  });

  it('refuses keys that would break the line format', async () => {
    const store = await opened();
    await expect(store.remember('two words', clock + 1, clock)).rejects.toThrow(/printable ASCII/);
    await expect(store.remember('line\nbreak', clock + 1, clock)).rejects.toThrow(/printable ASCII/);
    await store.close();
  });

  it('fails closed before it is opened', async () => {
    const store = new FileNonceStore({ file, now });
    await expect(store.remember('request:manager:ffff', clock + 1, clock)).rejects.toMatchObject({ code: 'REPLAY_CHECK_UNAVAILABLE' });
  });
});
