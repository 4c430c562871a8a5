import { link, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDaisError } from '@dais/shared';
import { HOSTILE_PATHS, plantedLinks, THROUGH_LINKS } from '../../../../test/support/hostile-paths';
import { SiteFolder } from './site-folder';

const OWNER = { uid: 4321, gid: 4321 };
const HOSTILE = [...HOSTILE_PATHS, ...THROUGH_LINKS];
/** The ways a hostile request may be refused; anything else (or success outside) fails the test. */
const REFUSALS = ['PATH_INVALID', 'PATH_FORBIDDEN', 'FILE_NOT_FOUND', 'NOT_A_DIRECTORY', 'IS_A_DIRECTORY', 'FILE_EXISTS'];

/** SFTP's links, sizes and times on a real folder, with the planted links and hard link of the file API corpus. */
describe('SiteFolder links, sizes and times', () => {
  let base: string;
  let site: string;
  let canaryDir: string;
  let folder: SiteFolder;

  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (error: unknown) => (isDaisError(error) ? error.code : String(error)),
    );

  /** What must never change: the files outside (content and times) and the names beside the site folder. */
  async function outsideSnapshot() {
    const files = [join(canaryDir, 'canary.txt'), join(canaryDir, 'hardlinked.txt'), '/etc/passwd', '/etc/hostname'];
    const described = await Promise.all(
      files.map(async (path) => ({
        path,
        content: await readFile(path, 'utf8'),
        mtimeMs: (await stat(path)).mtimeMs,
        mode: (await stat(path)).mode,
      })),
    );
    return { described, beside: await readdir(base), canaries: await readdir(canaryDir), root: await readdir('/') };
  }

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'dais-site-links-'));
    site = join(base, 'site');
    canaryDir = join(base, 'canary');
    await mkdir(join(site, 'public'), { recursive: true });
    await mkdir(join(site, 'private'));
    await mkdir(canaryDir);
    await writeFile(join(canaryDir, 'canary.txt'), 'CANARY');
    await writeFile(join(canaryDir, 'hardlinked.txt'), 'CANARY');
    for (const [name, target] of Object.entries(plantedLinks(canaryDir))) await symlink(target, join(site, 'public', name));
    await link(join(canaryDir, 'hardlinked.txt'), join(site, 'public', 'hardlink-canary'));
    await utimes(join(canaryDir, 'canary.txt'), 1_000, 1_000);
    folder = new SiteFolder({ root: site, owner: process.getuid?.() === 0 ? OWNER : null });
    await folder.writeRange('/public/a.txt', 0, Buffer.from('inside'), { create: true });
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('makes a relative link inside, reads its text back, and resolves it (and chains of them) for SFTP', async () => {
    await folder.symlink('/public/link', 'a.txt');
    expect(await folder.readlink('/public/link')).toBe('a.txt');
    expect(await folder.stat('/public/link')).toMatchObject({ name: 'link', type: 'symlink' });
    expect(await folder.resolve('/public/link', { followFinal: false })).toBe('/public/link');
    const followed = await folder.resolve('/public/link', { followFinal: true });
    expect(followed).toBe('/public/a.txt');
    expect((await folder.readRange(followed, 0, 100)).toString()).toBe('inside');
    if (folder.owner) expect((await lstat(join(site, 'public', 'link'))).uid).toBe(OWNER.uid);

    await folder.mkdir('/private/d');
    await folder.symlink('/public/dir-link', '../private/d');
    await folder.symlink('/public/chain', './link');
    expect(await folder.resolve('/public/dir-link/new.txt', { followFinal: false })).toBe('/private/d/new.txt');
    expect(await folder.resolve('/public/chain', { followFinal: true })).toBe('/public/a.txt');
    await folder.symlink('/public/to-root', '..');
    expect(await folder.resolve('/public/to-root/public/a.txt', { followFinal: true })).toBe('/public/a.txt');
    // A dangling link inside resolves to where the file would be: SFTP's open may create it there.
    await folder.symlink('/public/later', 'later.txt');
    expect(await folder.resolve('/public/later', { followFinal: true })).toBe('/public/later.txt');
    expect(await codeOf(folder.symlink('/public/link', 'a.txt'))).toBe('FILE_EXISTS');
  });

  it('refuses targets that are absolute, climb out, go through a link out, or carry NUL or overlong names; nothing is made', async () => {
    const before = await outsideSnapshot();
    const refused = [
      '/etc/passwd',
      '/',
      '../../x',
      '..//../x',
      '../../../../../../etc/passwd',
      'sub/../../x',
      'sub/../a.txt',
      'a.txt\u0000',
      '\u0000',
      'line\nbreak',
      'back\\slash',
      '',
      'a'.repeat(256),
      `${'a/'.repeat(2_048)}x`,
      'etc-link/passwd',
      'canary-dir-link/canary.txt',
      'up-link/etc/passwd',
      'relative-out',
    ];
    for (const target of refused) {
      expect(await codeOf(folder.symlink('/public/new-link', target)), JSON.stringify(target)).toBe('PATH_FORBIDDEN');
      await expect(lstat(join(site, 'public', 'new-link'))).rejects.toThrow(/ENOENT/);
    }
    expect(await outsideSnapshot()).toEqual(before);
  });

  it('keeps every hostile target and every hostile link name inside the folder', async () => {
    const before = await outsideSnapshot();
    for (const target of HOSTILE) {
      const code = await codeOf(folder.symlink('/public/hostile', target));
      if (code === 'ok') {
        // Accepted text is text the kernel, too, resolves inside the folder (no link on its way).
        const text = await readlink(join(site, 'public', 'hostile'));
        const landing = resolve(join(site, 'public'), text);
        expect(landing === site || landing.startsWith(`${site}/`), JSON.stringify(target)).toBe(true);
        await folder.remove('/public/hostile');
      } else expect(code, JSON.stringify(target)).toBe('PATH_FORBIDDEN');
    }
    for (const path of HOSTILE) {
      const code = await codeOf(folder.symlink(path, 'a.txt'));
      expect([...REFUSALS, 'ok'], JSON.stringify(path)).toContain(code);
      if (code === 'ok') expect(await readlink(join(site, folder.realpath(path)))).toBe('a.txt');
    }
    expect(await outsideSnapshot()).toEqual(before);
  });

  it('follows only links that stay inside: planted links out, loops and name/.. tricks are refused', async () => {
    for (const path of THROUGH_LINKS) {
      const followed = await folder.resolve(path, { followFinal: true }).catch((error: unknown) => error);
      if (path === 'public/hardlink-canary') {
        // Not a link: it resolves to itself, and the file operations refuse its content.
        expect(followed).toBe('/public/hardlink-canary');
        expect(await codeOf(folder.readRange('/public/hardlink-canary', 0, 10))).toBe('PATH_FORBIDDEN');
      } else expect(isDaisError(followed) && followed.code, path).toBe('PATH_FORBIDDEN');
    }
    for (const path of HOSTILE_PATHS) {
      const followed = await folder.resolve(path, { followFinal: true }).catch((error: unknown) => error);
      // Paths are site-relative ("/etc/passwd" is the site's own): what resolves is a normal path, missing or inside.
      if (typeof followed === 'string') {
        expect(folder.realpath(followed)).toBe(followed);
        const code = await codeOf(lstat(join(site, followed)));
        expect(code === 'ok' || /ENOENT|ENOTDIR/.test(code), `${JSON.stringify(path)}: ${code}`).toBe(true);
      } else expect(REFUSALS, JSON.stringify(path)).toContain(isDaisError(followed) ? followed.code : String(followed));
    }
    // Made in the container, where nothing stops a site user: a loop, and a climb from a link out.
    await symlink('loop-b', join(site, 'public', 'loop-a'));
    await symlink('loop-a', join(site, 'public', 'loop-b'));
    await symlink('etc-link/../x', join(site, 'public', 'tricky'));
    for (const path of ['/public/loop-a', '/public/tricky', '/public/loop-b/x']) {
      expect(await codeOf(folder.resolve(path, { followFinal: true })), path).toBe('PATH_FORBIDDEN');
    }
    // The file API keeps using links as names: reading through a link inside is still refused.
    await folder.symlink('/public/link', 'a.txt');
    expect(await codeOf(folder.readRange('/public/link', 0, 10))).toBe('PATH_FORBIDDEN');
  });

  it('reads the text of any link, even one pointing outside, and nothing through one', async () => {
    expect(await folder.readlink('/public/etc-link')).toBe('/etc');
    expect(await folder.readlink('/public/up-link')).toBe('../../../../..');
    expect(await codeOf(folder.readlink('/public/a.txt'))).toBe('PATH_INVALID');
    expect(await codeOf(folder.readlink('/public/missing'))).toBe('FILE_NOT_FOUND');
    expect(await codeOf(folder.readlink('/public/etc-link/passwd'))).toBe('PATH_FORBIDDEN');
    expect(await codeOf(folder.readlink('/'))).toBe('PATH_INVALID');
  });

  it('truncates plain files only: never through a link, a hard link or a folder, nor to a bad size', async () => {
    await folder.writeRange('/public/b.txt', 0, Buffer.from('hello world'), { create: true });
    await folder.truncate('/public/b.txt', 5);
    expect((await folder.readRange('/public/b.txt', 0, 100)).toString()).toBe('hello');
    await folder.truncate('/public/b.txt', 8);
    expect(await folder.readRange('/public/b.txt', 0, 100)).toEqual(Buffer.from('hello\0\0\0'));
    await folder.symlink('/public/link', 'a.txt');
    expect(await codeOf(folder.truncate('/public/link', 0))).toBe('PATH_FORBIDDEN');
    expect(await codeOf(folder.truncate('/public', 0))).toBe('IS_A_DIRECTORY');
    for (const size of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) {
      expect(await codeOf(folder.truncate('/public/b.txt', size)), String(size)).toBe('PATH_INVALID');
    }
    expect(await codeOf(folder.truncate('/public/b.txt', Number.MAX_SAFE_INTEGER))).toBe('FILE_TOO_LARGE');
    const before = await outsideSnapshot();
    for (const path of HOSTILE) expect(REFUSALS, JSON.stringify(path)).toContain(await codeOf(folder.truncate(path, 0)));
    expect(await outsideSnapshot()).toEqual(before);
    expect((await folder.readRange('/public/a.txt', 0, 100)).toString()).toBe('inside');
  });

  it('sets the times of files and folders, never of a link, a hard link or the site folder', async () => {
    await folder.utimes('/public/a.txt', 1_000_000_000, 1_234_567_890);
    await folder.utimes('/private', 1_000_000_000, 1_300_000_000);
    expect((await folder.stat('/public/a.txt')).mtimeMs).toBe(1_234_567_890_000);
    expect((await stat(join(site, 'public', 'a.txt'))).atimeMs).toBe(1_000_000_000_000);
    expect((await folder.stat('/private')).mtimeMs).toBe(1_300_000_000_000);
    await folder.symlink('/public/link', 'a.txt');
    expect(await codeOf(folder.utimes('/public/link', 5, 5))).toBe('PATH_FORBIDDEN');
    expect((await folder.stat('/public/a.txt')).mtimeMs).toBe(1_234_567_890_000);
    expect(await codeOf(folder.utimes('/', 5, 5))).toBe('PATH_INVALID');
    expect(await codeOf(folder.utimes('/public/a.txt', -1, 5))).toBe('PATH_INVALID');
    const before = await outsideSnapshot();
    for (const path of HOSTILE) expect(REFUSALS, JSON.stringify(path)).toContain(await codeOf(folder.utimes(path, 5, 5)));
    expect(await outsideSnapshot()).toEqual(before);
  });
});
