import { mkdtemp, rm, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDaisError, type ErrorCode } from '@dais/shared';
import { readArchive, verifyArchive } from './archive-reader';
import { ArchiveWriter } from './archive-writer';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dais-archive-spec-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function sample(name = 'a.tar.gz'): Promise<string> {
  const file = join(dir, name);
  const writer = new ArchiveWriter(file);
  await writer.start();
  await writer.file('platform/database.sql', 5, 0o600, [Buffer.from('hello')]);
  await writer.directory('sites/3/files/public', 0o755);
  await writer.file('sites/3/files/public/index.html', 4, 0o644, [Buffer.from('ab'), Buffer.from('cd')]);
  await writer.symlink('sites/3/files/public/latest', 'index.html');
  await writer.finish({ migrations: ['m1'], databaseNamePrefix: 'p_', sites: [] });
  return file;
}

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | 'none'> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    if (isDaisError(error)) return error.code;
    throw error;
  }
}

describe('backup archives', () => {
  it('round-trips: the manifest lists each entry with its size and SHA-256, and nothing temporary is left', async () => {
    const file = await sample();
    const manifest = await verifyArchive(file);
    expect(manifest.entries).toEqual([
      {
        type: 'file',
        path: 'platform/database.sql',
        size: 5,
        sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
        mode: 0o600,
      },
      { type: 'directory', path: 'sites/3/files/public', mode: 0o755 },
      { type: 'file', path: 'sites/3/files/public/index.html', size: 4, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), mode: 0o644 },
      { type: 'symlink', path: 'sites/3/files/public/latest', target: 'index.html' },
    ]);
    expect(manifest).toMatchObject({ format: 'dais-backup', version: 1, migrations: ['m1'], databaseNamePrefix: 'p_' });
    expect(await readdir(dir)).toEqual(['a.tar.gz']);
    const seen: string[] = [];
    await readArchive(file, ({ entry, content }) => {
      seen.push(entry.path);
      content.resume();
      return Promise.resolve();
    });
    expect(seen).toEqual([
      'platform/database.sql',
      'sites/3/files/public',
      'sites/3/files/public/index.html',
      'sites/3/files/public/latest',
    ]);
  });

  it('aborting removes the temporary file and never creates the archive', async () => {
    const writer = new ArchiveWriter(join(dir, 'b.tar.gz'));
    await writer.start();
    await writer.file('platform/database.sql', 1, 0o600, [Buffer.from('x')]);
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a destination it cannot write, with the folder and the reason, before writing anything', async () => {
    const writer = new ArchiveWriter(join(dir, 'missing', 'd.tar.gz'));
    await expect(writer.start()).rejects.toThrow(/^Cannot write a backup in .*missing: ENOENT\.$/);
    expect(await codeOf(writer.start())).toBe('VALIDATION_FAILED');
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an entry whose content does not match its announced size', async () => {
    const writer = new ArchiveWriter(join(dir, 'c.tar.gz'));
    await writer.start();
    await expect(writer.file('platform/database.sql', 10, 0o600, [Buffer.from('short')])).rejects.toThrow();
    await writer.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses what is not a gzip tar, an empty file, and a cut archive', async () => {
    await writeFile(join(dir, 'junk'), 'not an archive');
    expect(await codeOf(verifyArchive(join(dir, 'junk')))).toBe('BACKUP_ARCHIVE_INVALID');
    await writeFile(join(dir, 'empty'), gzipSync(Buffer.alloc(1024)));
    expect(await codeOf(verifyArchive(join(dir, 'empty')))).toBe('BACKUP_ARCHIVE_UNSUPPORTED');
    const file = await sample();
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(file);
    await writeFile(join(dir, 'cut'), bytes.subarray(0, bytes.length - 40));
    expect(await codeOf(verifyArchive(join(dir, 'cut')))).toBe('BACKUP_ARCHIVE_INVALID');
  });
});
