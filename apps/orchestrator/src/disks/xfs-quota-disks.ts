import { rename, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { SiteDiskUsage } from '@dais/shared';
import type { DiskTools } from './disk-tools';
import { MIB } from './loop-sizing';
import { mountContaining, type MountEntry } from './mount-table';
import { isFolder, removeSiteFolder } from './plain-disks';
import type { AttachedFolder, Quiesce, SiteDisks } from './site-disks';

/** Settings of {@link XfsQuotaDisks}. */
export interface XfsQuotaDisksOptions {
  sitesRoot: string;
  /** The XFS project of site N: its uid (`DAIS_SITE_UID_BASE + N`), unique on the host. */
  projectOf(siteId: number): number;
  tools: DiskTools;
  /** The mounts of this host, as /proc/self/mountinfo lists them. */
  mounts(): Promise<MountEntry[]>;
}

/**
 * xfs_quota reads its own command line (`-c 'project -s -p PATH ID'`) and splits it at spaces:
 * only paths made of these characters are passed to it.
 */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;

/**
 * `DAIS_DISK_DRIVER=xfs-prjquota`, for production hosts: the sites folder is on XFS mounted with
 * `prjquota`; each site folder is an XFS project (id = the site's uid) with a hard block limit.
 * XFS enforces project quotas on every writer, root included, and reports a project folder's
 * limit and usage through statfs, which is how usage is read. Nothing to mount, nothing to copy;
 * raising and lowering a limit is one `xfs_quota` command. (The machine Dais is developed on has
 * no quota support in its kernel, so this driver is checked by its unit spec, not by a mount.)
 */
export class XfsQuotaDisks implements SiteDisks {
  readonly kind = 'xfs-prjquota' as const;
  private mountPoint = '';

  constructor(private readonly options: XfsQuotaDisksOptions) {}

  async prepare(): Promise<void> {
    for (const tool of ['xfs_quota', 'xfs_io', 'rm']) {
      if (!(await this.options.tools.has(tool)))
        throw new Error(`DAIS_DISK_DRIVER=xfs-prjquota needs ${tool} (Debian package xfsprogs); install it or choose another driver.`);
    }
    const mount = mountContaining(await this.options.mounts(), this.options.sitesRoot);
    if (mount?.fsType !== 'xfs' || !mount.options.some((option) => option === 'prjquota' || option === 'pquota')) {
      throw new Error(
        `DAIS_DISK_DRIVER=xfs-prjquota needs ${this.options.sitesRoot} on an XFS filesystem mounted with prjquota; it is on ${mount?.fsType ?? 'nothing'} at ${mount?.mountPoint ?? '?'} (${mount?.options.join(',') ?? ''}).`,
      );
    }
    if (!SAFE_PATH.test(this.options.sitesRoot) || !SAFE_PATH.test(mount.mountPoint))
      throw new Error(`DAIS_DISK_DRIVER=xfs-prjquota needs a sites folder path of letters, digits and ._/- only.`);
    this.mountPoint = mount.mountPoint;
  }

  async attach(siteId: number): Promise<AttachedFolder> {
    return { exists: await isFolder(this.siteDir(siteId)), remounted: false };
  }

  async create(siteId: number, staging: string, limitMb: number): Promise<void> {
    await rename(staging, this.siteDir(siteId));
    await this.assignProject(siteId);
    await this.quota(`limit -p bhard=${limitMb}m ${this.options.projectOf(siteId)}`);
  }

  async setLimit(siteId: number, limitMb: number, _quiesce: Quiesce): Promise<string[]> {
    if (!(await this.hasProject(siteId))) await this.assignProject(siteId);
    const usage = await this.usage(siteId);
    if (usage && usage.usedBytes > limitMb * MIB) {
      const stays = usage.limitBytes / MIB;
      return [
        `The site stores ${(usage.usedBytes / MIB).toFixed(1)} MiB, more than the new disk limit of ${limitMb} MiB: its limit stays ${stays} MiB. Delete files, then apply the limit again.`,
      ];
    }
    await this.quota(`limit -p bhard=${limitMb}m ${this.options.projectOf(siteId)}`);
    return [];
  }

  /** statfs on a folder of a project with a hard limit reports that limit as the size, and the project's usage. */
  async usage(siteId: number): Promise<SiteDiskUsage | null> {
    if (!(await isFolder(this.siteDir(siteId)))) return null;
    const [site, whole] = await Promise.all([statfs(this.siteDir(siteId)), statfs(this.mountPoint)]);
    if (site.blocks === whole.blocks) return null; // no limit set (yet)
    return { usedBytes: (site.blocks - site.bfree) * site.bsize, limitBytes: site.blocks * site.bsize };
  }

  async remove(siteId: number): Promise<boolean> {
    const removed = await removeSiteFolder(this.options.sitesRoot, siteId, this.options.tools);
    await this.quota(`limit -p bhard=0 ${this.options.projectOf(siteId)}`);
    return removed;
  }

  /** Tags the folder and everything in it with the site's project, inherited by what is made later. */
  private async assignProject(siteId: number): Promise<void> {
    await this.quota(`project -s -p ${this.safePath(siteId)} ${this.options.projectOf(siteId)}`);
  }

  private async hasProject(siteId: number): Promise<boolean> {
    const answer = await this.options.tools.run('xfs_io', ['-r', '-c', 'lsproj', this.safePath(siteId)]);
    return new RegExp(`projid = ${this.options.projectOf(siteId)}\\b`).test(answer);
  }

  private quota(command: string): Promise<string> {
    return this.options.tools.run('xfs_quota', ['-x', '-c', command, this.mountPoint]);
  }

  private safePath(siteId: number): string {
    const dir = this.siteDir(siteId);
    if (!SAFE_PATH.test(dir)) throw new Error(`refusing to pass ${JSON.stringify(dir)} to xfs_quota`);
    return dir;
  }

  private siteDir(siteId: number): string {
    return join(this.options.sitesRoot, String(siteId));
  }
}
