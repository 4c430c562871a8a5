import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rename, rmdir, statfs, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SiteDiskUsage } from '@dais/shared';
import { copyTree } from '../files/copy-tree';
import { removeFolder, type DiskTools } from './disk-tools';
import { canResizeOnline, exists, makeSparseFile, MKFS_OPTIONS, mountImage, UMOUNT_BUSY } from './loop-images';
import { imageMibFor, limitOfImage, MIB } from './loop-sizing';
import { mountAt, readMountTable } from './mount-table';
import { removeSiteFolder } from './plain-disks';
import type { AttachedFolder, Quiesce, SiteDisks } from './site-disks';

/** Settings of {@link LoopDisks}. */
export interface LoopDisksOptions {
  sitesRoot: string;
  /** Where the images live: root's only (0700), outside the sites folder, never reachable by a site. */
  imagesDir: string;
  tools: DiskTools;
  /** Whether the kernel lets this process grow a mounted ext4; read from its capabilities when not given. */
  canResizeOnline?: boolean;
}

/**
 * Every site folder is an ext4 filesystem of its own in a sparse image file
 * (`<images dir>/<site id>.img`), loop-mounted at the site folder: the site (and the orchestrator
 * writing for it) can store its limit and not a byte more, whoever writes, and the image only
 * takes on the host disk what the site stores. Works as root on any Linux kernel, without quota
 * support. A new site's image is made from its staging folder in one `mkfs.ext4 -d` and renamed
 * into place, so an image exists only complete. Raising a limit grows the filesystem online
 * when the kernel allows it (else offline, like lowering: the site's containers are stopped
 * and the filesystem unmounted, checked, resized and mounted again).
 */
export class LoopDisks implements SiteDisks {
  readonly kind = 'loop' as const;
  private onlineResize = false;
  /** Sites `prepare` mounted: the first attach after it says so, for their containers to be restarted. */
  private readonly mountedAtStart = new Set<number>();

  constructor(private readonly options: LoopDisksOptions) {}

  async prepare(): Promise<void> {
    for (const tool of ['mkfs.ext4', 'e2fsck', 'resize2fs', 'dumpe2fs', 'losetup', 'mount', 'umount', 'rm']) {
      if (!(await this.options.tools.has(tool))) {
        throw new Error(
          `DAIS_DISK_DRIVER=loop needs ${tool} (Debian packages e2fsprogs, mount and util-linux); install it or set DAIS_DISK_DRIVER=none.`,
        );
      }
    }
    this.onlineResize = this.options.canResizeOnline ?? (await canResizeOnline());
    await mkdir(this.options.imagesDir, { recursive: true, mode: 0o700 });
    await chmod(this.options.imagesDir, 0o700);
    await mkdir(this.options.sitesRoot, { recursive: true, mode: 0o755 });
    await this.finishAdoptions();
    for (const name of await readdir(this.options.imagesDir)) {
      const path = join(this.options.imagesDir, name);
      const siteId = /^([1-9][0-9]*)\.img$/.exec(name)?.[1];
      if (siteId && (await this.attach(Number(siteId))).remounted) this.mountedAtStart.add(Number(siteId));
      else if (name.startsWith('.new-')) await unlink(path).catch(() => undefined);
      else if (name.startsWith('.mnt-')) {
        await this.options.tools.run('umount', ['-l', path]).catch(() => undefined);
        await rmdir(path).catch(() => undefined);
      }
    }
  }

  /** After a crash during {@link adopt}: a copy that made its image is done; one that did not goes back in place. */
  private async finishAdoptions(): Promise<void> {
    for (const name of await readdir(this.options.sitesRoot)) {
      const siteId = /^\.adopt-([1-9][0-9]*)-/.exec(name)?.[1];
      if (!siteId) continue;
      const source = join(this.options.sitesRoot, name);
      if (await exists(this.imageOf(Number(siteId)))) await removeFolder(this.options.tools, source);
      else if (!(await exists(this.siteDir(Number(siteId))))) await rename(source, this.siteDir(Number(siteId)));
    }
  }

  async attach(siteId: number): Promise<AttachedFolder> {
    const dir = this.siteDir(siteId);
    if (!(await exists(this.imageOf(siteId)))) return { exists: await exists(dir), remounted: false };
    if (await this.isMounted(dir)) return { exists: true, remounted: this.mountedAtStart.delete(siteId) };
    await this.mount(siteId);
    return { exists: true, remounted: true };
  }

  async create(siteId: number, staging: string, limitMb: number, owner: { uid: number }): Promise<void> {
    const temp = join(this.options.imagesDir, `.new-${siteId}-${randomBytes(4).toString('hex')}.img`);
    try {
      await makeSparseFile(temp, imageMibFor(limitMb) * MIB);
      const extended = `lazy_journal_init=1,root_owner=${owner.uid}:${owner.uid}`;
      await this.options.tools.run('mkfs.ext4', [...MKFS_OPTIONS, '-E', extended, '-d', staging, temp]);
      await rename(temp, this.imageOf(siteId));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await removeFolder(this.options.tools, staging);
    await this.mount(siteId);
    // mkfs makes one; e2fsck makes it again if it ever needs it. The site sees only its own folders.
    await rmdir(join(this.siteDir(siteId), 'lost+found')).catch(() => undefined);
  }

  async setLimit(siteId: number, limitMb: number, quiesce: Quiesce): Promise<string[]> {
    const image = this.imageOf(siteId);
    if (!(await exists(image))) return this.adopt(siteId, limitMb, quiesce);
    const current = limitOfImage((await lstat(image)).size);
    if (current === limitMb) return [];
    const bytes = imageMibFor(limitMb) * MIB;
    if (limitMb > current && this.onlineResize) {
      try {
        await truncate(image, bytes);
        const device = await this.deviceOf(siteId);
        await this.options.tools.run('losetup', ['-c', device]);
        await this.options.tools.run('resize2fs', [device]);
        return [];
      } catch {
        // The kernel refused after all: grow it offline (the image is already its new size).
      }
    }
    if (limitMb < current) {
      const used = (await this.usage(siteId))?.usedBytes ?? 0;
      if (used > limitMb * MIB) {
        return [
          `The site stores ${mib(used)} MiB, more than the new disk limit of ${limitMb} MiB: its limit stays ${current} MiB. Delete files, then apply the limit again.`,
        ];
      }
    }
    return this.resizeOffline(siteId, { bytes, limitMb, current }, quiesce);
  }

  async usage(siteId: number): Promise<SiteDiskUsage | null> {
    const dir = this.siteDir(siteId);
    const image = await lstat(this.imageOf(siteId)).catch(() => null);
    if (!image || !(await this.isMounted(dir))) return null;
    const stats = await statfs(dir);
    return { usedBytes: (stats.blocks - stats.bfree) * stats.bsize, limitBytes: limitOfImage(image.size) * MIB };
  }

  async remove(siteId: number): Promise<boolean> {
    const dir = this.siteDir(siteId);
    const image = this.imageOf(siteId);
    const found = (await exists(image)) || (await exists(dir));
    // The site's containers are gone; a terminal still open keeps the filesystem until it ends (lazy unmount).
    if ((await this.isMounted(dir)) && !(await this.unmount(dir))) await this.options.tools.run('umount', ['-l', dir]);
    await unlink(image).catch(ignoreMissing);
    await removeSiteFolder(this.options.sitesRoot, siteId, this.options.tools);
    return found;
  }

  /**
   * Moves a plain site folder (made before this driver was chosen) onto an image of its own: the
   * site's containers stopped, the folder renamed aside, its files copied by the confined walker
   * (never through a link) into the new filesystem, which is then mounted in its place. A folder
   * larger than the limit stays as it was, unlimited, and the note says so.
   */
  private async adopt(siteId: number, limitMb: number, quiesce: Quiesce): Promise<string[]> {
    const dir = this.siteDir(siteId);
    const image = this.imageOf(siteId);
    const owner = await lstat(dir).catch(() => null);
    if (!owner?.isDirectory() || !quiesce) return [];
    await quiesce();
    const unique = `${siteId}-${randomBytes(4).toString('hex')}`;
    const source = join(this.options.sitesRoot, `.adopt-${unique}`);
    const temp = join(this.options.imagesDir, `.new-${unique}.img`);
    const mountPoint = join(this.options.imagesDir, `.mnt-${unique}`);
    await rename(dir, source);
    try {
      await makeSparseFile(temp, imageMibFor(limitMb) * MIB);
      await this.options.tools.run('mkfs.ext4', [...MKFS_OPTIONS, '-E', `lazy_journal_init=1,root_owner=${owner.uid}:${owner.gid}`, temp]);
      await mkdir(mountPoint, { mode: 0o700 });
      await mountImage(this.options.tools, temp, mountPoint);
      try {
        await rmdir(join(mountPoint, 'lost+found'));
        await copyTree(source, mountPoint);
      } finally {
        await this.options.tools.run('umount', [mountPoint]);
        await rmdir(mountPoint);
      }
      await rename(temp, image);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      await rename(source, dir);
      const reason = error instanceof Error ? error.message : String(error);
      return [
        `Could not move the site's files onto a disk limited to ${limitMb} MiB (${reason}): the site stays without a disk limit. Make sure it stores less than its limit, or raise the limit, and apply again.`,
      ];
    }
    await this.mount(siteId);
    await removeFolder(this.options.tools, source);
    return [`Dais moved the site's files onto a disk of its own, limited to ${limitMb} MiB.`];
  }

  /** Lowers (or, without online resizing, raises) the limit with the filesystem unmounted. */
  private async resizeOffline(
    siteId: number,
    size: { bytes: number; limitMb: number; current: number },
    quiesce: Quiesce,
  ): Promise<string[]> {
    const dir = this.siteDir(siteId);
    const image = this.imageOf(siteId);
    if (!quiesce) return [];
    await quiesce();
    if (!(await this.unmount(dir))) {
      return [
        `Could not change the disk limit to ${size.limitMb} MiB now: a terminal, SSH or SFTP session still uses the site's folder. The limit stays ${size.current} MiB; close the sessions and apply again.`,
      ];
    }
    const growing = size.limitMb > size.current;
    try {
      // e2fsck exits 1 when it fixed something; resize2fs wants a freshly checked filesystem.
      await this.options.tools.run('e2fsck', ['-f', '-p', image], [0, 1]);
      if (growing) await truncate(image, size.bytes);
      await this.options.tools.run('resize2fs', [image, `${size.bytes / 1024}K`]);
      if (!growing) await truncate(image, size.bytes);
      return [];
    } catch (error) {
      await this.fitImageToFilesystem(image, size.current);
      const reason = error instanceof Error ? error.message : String(error);
      return [`Could not change the disk limit to ${size.limitMb} MiB (${reason}); it stays ${size.current} MiB.`];
    } finally {
      await this.mount(siteId);
    }
  }

  /**
   * After a failed resize: gives the image back the size of its old limit, unless the filesystem
   * on it already grew past that (never cut a filesystem short); unknown size: leave it as it is.
   */
  private async fitImageToFilesystem(image: string, limitMb: number): Promise<void> {
    const header = await this.options.tools.run('dumpe2fs', ['-h', image]).catch(() => '');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(header)?.[1] ?? NaN);
    const filesystemBytes = field('Block count') * field('Block size');
    if (!Number.isFinite(filesystemBytes) || filesystemBytes <= 0) return;
    const wanted = Math.max(imageMibFor(limitMb) * MIB, Math.ceil(filesystemBytes / MIB) * MIB);
    if (wanted < (await lstat(image)).size) await truncate(image, wanted);
  }

  private async mount(siteId: number): Promise<void> {
    const dir = this.siteDir(siteId);
    const image = this.imageOf(siteId);
    // The folder beneath the mount is root's and closed: a container started before the mount sees nothing it can use.
    await mkdir(dir, { mode: 0o000 }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
    const mount = () => mountImage(this.options.tools, image, dir);
    await mount().catch(async () => {
      // After a crash: let e2fsck repair what the journal could not, then try once more.
      await this.options.tools.run('e2fsck', ['-p', image], [0, 1]);
      await mount();
    });
  }

  /** Unmounts; retries a moment while the filesystem is busy (nginx finishing a response). False if it stays busy. */
  private async unmount(dir: string): Promise<boolean> {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      try {
        await this.options.tools.run('umount', [dir]);
        return true;
      } catch (error) {
        if ((error as { exitCode?: unknown }).exitCode !== UMOUNT_BUSY && !/busy/i.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return false;
  }

  /** The loop device the site's image is mounted from. */
  private async deviceOf(siteId: number): Promise<string> {
    const source = mountAt(await readMountTable(), this.siteDir(siteId))?.source ?? '';
    if (!/^\/dev\/loop[0-9]+$/.test(source))
      throw new Error(`site ${siteId}'s folder is not mounted from a loop device (${source || 'not mounted'})`);
    return source;
  }

  /** A mount point has another device than the folder it is in. */
  private async isMounted(dir: string): Promise<boolean> {
    const [inner, outer] = await Promise.all([lstat(dir).catch(() => null), lstat(this.options.sitesRoot)]);
    return inner !== null && inner.isDirectory() && inner.dev !== outer.dev;
  }

  private siteDir(siteId: number): string {
    return join(this.options.sitesRoot, String(siteId));
  }

  private imageOf(siteId: number): string {
    return join(this.options.imagesDir, `${siteId}.img`);
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}
