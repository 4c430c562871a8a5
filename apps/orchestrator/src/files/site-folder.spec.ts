import { link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDaisError } from '@dais/shared';
import { sftpErrorCodeOf } from './file-errors';
import { SiteFolder } from './site-folder';

/** The SFTP-facing operations on a real folder: what B's SFTP server relies on. */
describe('SiteFolder', () => {
  let base: string;
  let folder: SiteFolder;
  const outside = () => join(base, 'outside.txt');

  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (error: unknown) => (isDaisError(error) ? error.code : String(error)),
    );

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'dais-site-folder-'));
    await mkdir(join(base, 'site', 'public'), { recursive: true });
    await writeFile(outside(), 'outside');
    folder = new SiteFolder({ root: join(base, 'site'), owner: null });
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('writes and reads ranges, creating, truncating and refusing an exclusive create of an existing file', async () => {
    await folder.writeRange('/public/a.txt', 0, Buffer.from('hello world'), { create: true });
    await folder.writeRange('/public/a.txt', 6, Buffer.from('WORLD'));
    expect((await folder.readRange('/public/a.txt', 0, 100)).toString()).toBe('hello WORLD');
    expect((await folder.readRange('/public/a.txt', 6, 2)).toString()).toBe('WO');
    expect(await folder.readRange('/public/a.txt', 100, 10)).toHaveLength(0);
    expect(await codeOf(folder.open('/public/a.txt', { create: true, exclusive: true }))).toBe('FILE_EXISTS');
    expect(await folder.open('/public/a.txt', { truncate: true })).toMatchObject({ name: 'a.txt', type: 'file', size: 0 });
    expect(await codeOf(folder.writeRange('/public/missing.txt', 0, Buffer.from('x')))).toBe('FILE_NOT_FOUND');
  });

  it("leaves the site folder's own permissions to Dais", async () => {
    expect(await codeOf(folder.chmod('/', 0o700))).toBe('PATH_FORBIDDEN');
    expect(await codeOf(folder.chmod('/public/..', 0o700))).toBe('PATH_FORBIDDEN');
    await folder.chmod('/public', 0o750);
    expect((await folder.stat('/public')).mode & 0o777).toBe(0o750);
  });

  it('never truncates, writes or chmods a hard link to a file outside', async () => {
    await link(outside(), join(base, 'site', 'public', 'hard.txt'));
    expect(await codeOf(folder.open('/public/hard.txt', { truncate: true }))).toBe('PATH_FORBIDDEN');
    expect(await codeOf(folder.writeRange('/public/hard.txt', 0, Buffer.from('pwned'), { create: true, truncate: true }))).toBe(
      'PATH_FORBIDDEN',
    );
    expect(await codeOf(folder.chmod('/public/hard.txt', 0o777))).toBe('PATH_FORBIDDEN');
    expect(await codeOf(folder.readRange('/public/hard.txt', 0, 10))).toBe('PATH_FORBIDDEN');
    expect(await readFile(outside(), 'utf8')).toBe('outside');
  });

  it('does not create through a dangling link nor write through a link to a file outside', async () => {
    await symlink(join(base, 'created-outside.txt'), join(base, 'site', 'public', 'dangling'));
    await symlink(outside(), join(base, 'site', 'public', 'out'));
    expect(await codeOf(folder.writeRange('/public/dangling', 0, Buffer.from('x'), { create: true }))).toBe('PATH_FORBIDDEN');
    expect(await codeOf(folder.writeRange('/public/out', 0, Buffer.from('x'), { create: true }))).toBe('PATH_FORBIDDEN');
    await expect(readFile(join(base, 'created-outside.txt'))).rejects.toThrow(/ENOENT/);
    expect(await folder.stat('/public/out')).toMatchObject({ type: 'symlink' });
    expect((await folder.list('/public')).map((entry) => [entry.name, entry.type])).toEqual([
      ['dangling', 'symlink'],
      ['out', 'symlink'],
    ]);
  });

  it('renames without replacing unless asked, and removes folders only when empty or recursive', async () => {
    await folder.mkdir('/public/d');
    await folder.writeRange('/public/d/f', 0, Buffer.from('f'), { create: true });
    await folder.writeRange('/public/g', 0, Buffer.from('g'), { create: true });
    expect(await codeOf(folder.rename('/public/g', '/public/d/f'))).toBe('FILE_EXISTS');
    await folder.rename('/public/g', '/public/d/f', { overwrite: true });
    expect((await folder.readRange('/public/d/f', 0, 10)).toString()).toBe('g');
    expect(await codeOf(folder.rmdir('/public/d'))).toBe('DIRECTORY_NOT_EMPTY');
    expect(await codeOf(folder.remove('/public/d'))).toBe('DIRECTORY_NOT_EMPTY');
    await folder.remove('/public/d', { recursive: true });
    expect(await codeOf(folder.stat('/public/d'))).toBe('FILE_NOT_FOUND');
    expect(await codeOf(folder.remove('/'))).toBe('PATH_INVALID');
  });

  it('maps its errors to SFTP codes and gives a watchable folder only for a real folder inside', async () => {
    expect(sftpErrorCodeOf(await folder.stat('/nope').catch((error: unknown) => error))).toBe('NOT_FOUND');
    expect(sftpErrorCodeOf(await folder.list('/..').catch((error: unknown) => error))).toBe('FORBIDDEN');
    expect(sftpErrorCodeOf(new Error('boom'))).toBe('FAILED');
    expect(folder.realpath('/public/../public/./x')).toBe('/public/x');
    await symlink(base, join(base, 'site', 'public', 'up'));
    expect(await codeOf(folder.watchableDir('/public/up'))).toBe('PATH_FORBIDDEN');
    const watched = await folder.watchableDir('/public');
    expect(watched.path).toMatch(/^\/proc\/self\/fd\/\d+$/);
    await watched.close();
  });
});
