import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemDiskTools } from '../disks';
import { PlainDisks } from '../disks/plain-disks';
import { SiteDirectories } from './site-directories';

const owner = { uid: 200_042 };
const blog = { id: 42, name: 'blog', diskLimitMb: 1_024 };
const nothingToStop = () => Promise.resolve();
const asRoot = process.getuid?.() === 0;

describe('site files (real folders in a temp dir)', () => {
  let root: string;
  let files: SiteDirectories;
  /** A folder outside every site folder, standing for /etc or another site: nothing may change it. */
  let outside: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dais-site-files-'));
    files = new SiteDirectories(join(root, 'data'), new PlainDisks(join(root, 'data', 'sites'), systemDiskTools));
    outside = join(root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'SECRET');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const site = (...names: string[]) => join(files.siteDir(42), ...names);

  it('makes a new site folder with public, private and .home and a default page, owned by the site user', async () => {
    expect(await files.ensure(blog, owner, nothingToStop)).toEqual({ created: true, notes: [], remounted: false });
    expect((await readdir(site())).sort()).toEqual(['.home', 'private', 'public']);
    expect(await readFile(site('public', 'index.html'), 'utf8')).toContain('blog');
    expect((await stat(site('private'))).mode & 0o777).toBe(0o750);
    if (asRoot) expect((await stat(site('public'))).uid).toBe(owner.uid);
    expect(files.sitesRoot).toBe(join(root, 'data', 'sites'));
  });

  it.each([
    ['a link to a folder outside', (path: string) => symlink(outside, path)],
    ['a link to a sibling site', (path: string) => symlink('../7', path)],
    ['a dangling link', (path: string) => symlink('/nonexistent', path)],
    ['a file', (path: string) => writeFile(path, 'not a folder')],
  ])('moves a public replaced by %s aside, makes it again and says so, never touching the target', async (_label, plant) => {
    await files.ensure(blog, owner, nothingToStop);
    await rm(site('public'), { recursive: true });
    await plant(site('public'));
    const { created, notes } = await files.ensure(blog, owner, nothingToStop);
    expect(created).toBe(false);
    expect(notes).toEqual([
      expect.stringMatching(/^public was a (symbolic link|file), not a folder: Dais moved it to public\.moved-\S+ and made/),
    ]);
    expect((await lstat(site('public'))).isDirectory()).toBe(true);
    expect(await readdir(site('public'))).toEqual([]);
    const aside = (await readdir(site())).find((name) => name.startsWith('public.moved-')) ?? '';
    expect(aside).not.toBe('');
    const moved = await lstat(site(aside));
    expect(moved.isSymbolicLink() || moved.isFile()).toBe(true);
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('never hands a folder outside to the site user, whatever the site folder holds', async () => {
    await files.ensure(blog, owner, nothingToStop);
    const before = await stat(outside);
    for (const folder of ['public', 'private', '.home']) {
      await rm(site(folder), { recursive: true });
      await symlink(outside, site(folder));
    }
    const { notes } = await files.ensure(blog, owner, nothingToStop);
    expect(notes).toHaveLength(3);
    const after = await stat(outside);
    expect([after.uid, after.mode]).toEqual([before.uid, before.mode]);
    for (const folder of ['public', 'private', '.home']) expect((await lstat(site(folder))).isDirectory()).toBe(true);
  });

  it('makes a missing folder again and says so', async () => {
    await files.ensure(blog, owner, nothingToStop);
    await rm(site('.home'), { recursive: true });
    expect((await files.ensure(blog, owner, nothingToStop)).notes).toEqual(['.home was missing: Dais made an empty .home folder.']);
  });

  it('writes a starting run.sh owned by the site, and never through a link at its name', async () => {
    await files.ensure(blog, owner, nothingToStop);
    await files.ensureRunScript(42, '#!/bin/sh\necho hi\n', owner);
    const script = await stat(site('run.sh'));
    expect(script.mode & 0o777).toBe(0o755);
    if (asRoot) expect(script.uid).toBe(owner.uid);
    await rm(site('run.sh'));
    await symlink(join(outside, 'secret.txt'), site('run.sh'));
    await files.ensureRunScript(42, 'overwritten?', owner);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('SECRET');
    expect(await readlink(site('run.sh'))).toBe(join(outside, 'secret.txt'));
    expect(await files.hasRunScript(42)).toBe(true);
  });

  it('deletes a site folder without following the links inside it', async () => {
    await files.ensure(blog, owner, nothingToStop);
    await symlink(outside, site('public', 'escape'));
    await mkdir(site('private', 'deep', 'er'), { recursive: true });
    expect(await files.remove(42)).toEqual({ removed: true });
    await expect(lstat(site())).rejects.toThrow(/ENOENT/);
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await files.remove(42)).toEqual({ removed: false });
  });

  it('sweeps the leftovers of interrupted creates and deletes, and only those', async () => {
    await files.ensure(blog, owner, nothingToStop);
    await mkdir(join(files.sitesRoot, '.trash-9-abcd', 'public'), { recursive: true });
    await symlink(outside, join(files.sitesRoot, '.trash-9-abcd', 'public', 'escape'));
    await mkdir(join(files.sitesRoot, '.new-10-abcd'));
    await files.prepare();
    expect(await readdir(files.sitesRoot)).toEqual(['42']);
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });
});
