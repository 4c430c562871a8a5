import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyTree } from './copy-tree';

describe('copyTree (a site folder copied onto its new disk)', () => {
  let root: string;
  let from: string;
  let to: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dais-copy-tree-'));
    from = join(root, 'from');
    to = join(root, 'to');
    await mkdir(join(from, 'public', 'deep'), { recursive: true });
    await mkdir(to);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('copies folders, files, links (as links) and modes and times; leaves special files out', async () => {
    await writeFile(join(from, 'public', 'deep', 'page.html'), 'page');
    await chmod(join(from, 'public', 'deep', 'page.html'), 0o640);
    await utimes(join(from, 'public', 'deep', 'page.html'), 1_000, 2_000);
    await symlink('/etc/passwd', join(from, 'public', 'passwd-link'));
    await symlink('deep', join(from, 'public', 'inner-link'));
    await promisify(execFile)('mkfifo', [join(from, 'public', 'pipe')]);
    await chmod(join(from, 'public'), 0o750);
    expect(await copyTree(from, to)).toEqual({ skipped: 1 });
    expect((await readdir(join(to, 'public'))).sort()).toEqual(['deep', 'inner-link', 'passwd-link']);
    expect(await readFile(join(to, 'public', 'deep', 'page.html'), 'utf8')).toBe('page');
    const page = await stat(join(to, 'public', 'deep', 'page.html'));
    expect([page.mode & 0o777, page.mtimeMs]).toEqual([0o640, 2_000_000]);
    expect((await stat(join(to, 'public'))).mode & 0o777).toBe(0o750);
    expect(await readlink(join(to, 'public', 'passwd-link'))).toBe('/etc/passwd');
    expect((await lstat(join(to, 'public', 'inner-link'))).isSymbolicLink()).toBe(true);
  });

  it('never follows a link where a folder was: the copy starts from a folder opened without following', async () => {
    await rm(join(from, 'public'), { recursive: true });
    await symlink('/etc', join(from, 'public'));
    await copyTree(from, to);
    expect((await lstat(join(to, 'public'))).isSymbolicLink()).toBe(true);
    await expect(copyTree(join(from, 'public'), join(root, 'to'))).rejects.toThrow(/ELOOP|ENOTDIR/);
  });
});
