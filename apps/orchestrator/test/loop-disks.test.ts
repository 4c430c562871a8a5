import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unmountEverythingUnder } from '../../../test/support/loop-mounts';
import { tempDir } from '../../../test/support/temp-dir';
import { systemDiskTools } from '../src/disks';
import { canResizeOnline } from '../src/disks/loop-images';
import { LoopDisks } from '../src/disks/loop-disks';
import { MIB } from '../src/disks/loop-sizing';
import { readMountTable } from '../src/disks/mount-table';

const run = promisify(execFile);
const owner = { uid: 200_077 };

/** Writes zeros until the filesystem says no; returns how many MiB fit and the error. */
async function fill(path: string): Promise<{ mib: number; error: string }> {
  const answer = await run('dd', ['if=/dev/zero', `of=${path}`, 'bs=1M', 'count=100000']).then(
    () => ({ stderr: '' }),
    (error: unknown) => ({ stderr: (error as { stderr?: string }).stderr ?? String(error) }),
  );
  const written = await stat(path).catch(() => {
    throw new Error(`dd wrote no ${path}: ${answer.stderr}`);
  });
  return { mib: Math.floor(written.size / MIB), error: answer.stderr };
}

/**
 * The loop driver against the real kernel: images made, mounted, filled, resized, remounted and
 * deleted (as root, as the orchestrator runs). Site-level behaviour is in test/security/disk-limits.test.ts.
 */
describe('loop disk driver (real ext4 images and loop mounts)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let disks: LoopDisks;
  let sitesRoot: string;
  let imagesDir: string;
  const stopped: number[] = [];

  const staged = async (name: string) => {
    const staging = join(sitesRoot, `.new-${name}`);
    await mkdir(join(staging, 'public'), { recursive: true });
    await writeFile(join(staging, 'public', 'index.html'), `hello ${name}`);
    return staging;
  };

  beforeAll(async () => {
    dir = await tempDir('loop-disks');
    sitesRoot = join(dir.path, 'sites');
    imagesDir = join(dir.path, 'disks');
    disks = new LoopDisks({ sitesRoot, imagesDir, tools: systemDiskTools });
    await disks.prepare();
  });

  afterAll(async () => {
    await unmountEverythingUnder(dir.path);
    await dir.remove();
  });

  it('makes a site folder from its staging folder, on its own filesystem, owned by the site, holding exactly what was staged', async () => {
    await disks.create(1, await staged('one'), 16, owner);
    const site = join(sitesRoot, '1');
    expect(await readFile(join(site, 'public', 'index.html'), 'utf8')).toBe('hello one');
    expect((await readdir(site)).sort()).toEqual(['public']);
    expect((await stat(site)).uid).toBe(owner.uid);
    expect((await stat(site)).dev).not.toBe((await stat(sitesRoot)).dev);
    const mount = (await readMountTable()).find((entry) => entry.mountPoint === site);
    expect(mount?.fsType).toBe('ext4');
    expect(mount?.options).toEqual(expect.arrayContaining(['nodev', 'nosuid']));
    expect((await stat(imagesDir)).mode & 0o777).toBe(0o700);
    await expect(lstat(join(sitesRoot, '.new-one'))).rejects.toThrow(/ENOENT/);
    // Sparse: the image takes far less than its size on the host.
    const image = await stat(join(imagesDir, '1.img'));
    expect(image.blocks * 512).toBeLessThan(2 * MIB);
    expect(await disks.usage(1)).toEqual({ usedBytes: expect.any(Number), limitBytes: 16 * MIB });
  });

  it('stores the limit and not much more, then ENOSPC; another site is not affected', async () => {
    await disks.create(2, await staged('two'), 32, owner);
    const full = await fill(join(sitesRoot, '1', 'big'));
    expect(full.error).toMatch(/No space left on device/);
    expect(full.mib).toBeGreaterThanOrEqual(16);
    expect(full.mib).toBeLessThanOrEqual(16 + 4);
    expect((await disks.usage(1))?.usedBytes).toBeGreaterThanOrEqual(16 * MIB);
    await writeFile(join(sitesRoot, '2', 'fine.txt'), 'x'.repeat(MIB));
  });

  it('raises a limit so the site stores more: online where the kernel allows, else with its containers stopped', async () => {
    expect(await disks.setLimit(1, 40, () => Promise.resolve(void stopped.push(1)))).toEqual([]);
    expect(stopped).toEqual((await canResizeOnline()) ? [] : [1]);
    expect((await disks.usage(1))?.limitBytes).toBe(40 * MIB);
    const more = await fill(join(sitesRoot, '1', 'more'));
    expect(more.mib).toBeGreaterThanOrEqual(40 - 16);
    expect(await readFile(join(sitesRoot, '1', 'public', 'index.html'), 'utf8')).toBe('hello one');
  });

  it('refuses to lower a limit below what the site stores, and lowers it (offline) once it fits', async () => {
    const [refusal] = await disks.setLimit(1, 16, () => Promise.resolve(void stopped.push(1)));
    expect(refusal).toMatch(/^The site stores [\d.]+ MiB, more than the new disk limit of 16 MiB: its limit stays 40 MiB\./);
    await run('rm', [join(sitesRoot, '1', 'big'), join(sitesRoot, '1', 'more')]);
    stopped.length = 0;
    expect(await disks.setLimit(1, 16, () => Promise.resolve(void stopped.push(1)))).toEqual([]);
    expect(stopped).toEqual([1]);
    expect((await disks.usage(1))?.limitBytes).toBe(16 * MIB);
    expect(await readFile(join(sitesRoot, '1', 'public', 'index.html'), 'utf8')).toBe('hello one');
  });

  it('keeps the old limit, and the filesystem whole, when resize2fs cannot shrink it (too many files for the smaller size)', async () => {
    await disks.create(5, await staged('five'), 300, owner);
    const many = join(sitesRoot, '5', 'many');
    await mkdir(many);
    // Empty files take no blocks but an inode each: one 128 MiB block group holds 16,384, and 16 MiB is one group.
    await run('sh', ['-c', `cd ${many} && seq 1 20000 | xargs touch`]);
    const [note] = await disks.setLimit(5, 16, () => Promise.resolve());
    expect(note).toMatch(/^Could not change the disk limit to 16 MiB \(.*\); it stays 300 MiB\.$/);
    expect((await disks.usage(5))?.limitBytes).toBe(300 * MIB);
    expect(await readdir(many)).toHaveLength(20000);
    await run('umount', [join(sitesRoot, '5')]);
    await run('e2fsck', ['-f', '-n', join(imagesDir, '5.img')]);
    expect(await disks.attach(5)).toEqual({ exists: true, remounted: true });
    expect(await disks.remove(5)).toBe(true);
  });

  it('keeps the limit and says why when the folder is busy (a session holds it)', async () => {
    const holder = await import('node:fs/promises').then((fs) => fs.open(join(sitesRoot, '2', 'fine.txt'), 'r'));
    try {
      const [busy] = await disks.setLimit(2, 20, () => Promise.resolve());
      expect(busy).toMatch(/still uses the site's folder\. The limit stays 32 MiB/);
      expect((await disks.usage(2))?.limitBytes).toBe(32 * MIB);
    } finally {
      await holder.close();
    }
  });

  it('mounts images again at start (after a reboot) and on the next check, saying once that the folder was remounted', async () => {
    await run('umount', [join(sitesRoot, '2')]);
    expect(await disks.usage(2)).toBeNull();
    // The folder beneath the mount point is root's and closed to everyone else.
    expect((await stat(join(sitesRoot, '2'))).mode & 0o777).toBe(0);
    const restarted = new LoopDisks({ sitesRoot, imagesDir, tools: systemDiskTools });
    await restarted.prepare();
    expect(await readFile(join(sitesRoot, '2', 'fine.txt'), 'utf8')).toHaveLength(MIB);
    expect(await restarted.attach(2)).toEqual({ exists: true, remounted: true });
    expect(await restarted.attach(2)).toEqual({ exists: true, remounted: false });
    await run('umount', [join(sitesRoot, '2')]);
    expect(await disks.attach(2)).toEqual({ exists: true, remounted: true });
    expect(await disks.attach(2)).toEqual({ exists: true, remounted: false });
  });

  it('leaves a change that needs the site stopped for the next apply when self-repair may not stop it', async () => {
    expect(await disks.setLimit(2, 20, null)).toEqual([]);
    expect((await disks.usage(2))?.limitBytes).toBe(32 * MIB);
  });

  it('moves a plain folder from before the driver onto its own image, links, owners and times kept, nothing followed', async () => {
    const plain = join(sitesRoot, '3');
    await mkdir(join(plain, 'public', 'deep'), { recursive: true });
    await writeFile(join(plain, 'public', 'deep', 'page.html'), 'kept');
    await symlink('/etc', join(plain, 'public', 'to-etc'));
    await run('chown', ['-R', '-h', `${owner.uid}:${owner.uid}`, plain]);
    await utimes(join(plain, 'public', 'deep', 'page.html'), 1_000, 1_000);
    stopped.length = 0;
    expect(await disks.attach(3)).toEqual({ exists: true, remounted: false });
    expect(await disks.setLimit(3, 16, () => Promise.resolve(void stopped.push(3)))).toEqual([
      "Dais moved the site's files onto a disk of its own, limited to 16 MiB.",
    ]);
    expect(stopped).toEqual([3]);
    expect((await disks.usage(3))?.limitBytes).toBe(16 * MIB);
    const page = await stat(join(plain, 'public', 'deep', 'page.html'));
    expect([await readFile(join(plain, 'public', 'deep', 'page.html'), 'utf8'), page.uid, page.mtimeMs]).toEqual([
      'kept',
      owner.uid,
      1_000_000,
    ]);
    expect(await readlink(join(plain, 'public', 'to-etc'))).toBe('/etc');
    expect((await lstat(join(plain, 'public', 'to-etc'))).uid).toBe(owner.uid);
    expect((await readdir(sitesRoot)).filter((name) => name.startsWith('.adopt-'))).toEqual([]);
  });

  it('leaves a plain folder larger than its limit as it was, and says so', async () => {
    const plain = join(sitesRoot, '4');
    await mkdir(plain);
    await writeFile(join(plain, 'big'), Buffer.alloc(24 * MIB, 1));
    const [note] = await disks.setLimit(4, 16, () => Promise.resolve());
    expect(note).toMatch(/^Could not move the site's files onto a disk limited to 16 MiB \(.*\): the site stays without a disk limit\./);
    expect((await stat(join(plain, 'big'))).size).toBe(24 * MIB);
    expect(await disks.usage(4)).toBeNull();
    expect((await readdir(imagesDir)).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(await disks.remove(4)).toBe(true);
  });

  it('deletes a site: unmounted, image and folder gone, no loop device left behind', async () => {
    const image = join(imagesDir, '2.img');
    expect(await disks.remove(2)).toBe(true);
    await expect(lstat(image)).rejects.toThrow(/ENOENT/);
    await expect(lstat(join(sitesRoot, '2'))).rejects.toThrow(/ENOENT/);
    expect((await readMountTable()).some((entry) => entry.mountPoint === join(sitesRoot, '2'))).toBe(false);
    expect((await run('losetup', ['-a'])).stdout).not.toContain(image);
    expect(await disks.remove(2)).toBe(false);
  });
});
