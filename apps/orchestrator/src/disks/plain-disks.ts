import { randomBytes } from 'node:crypto';
import { lstat, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { removeFolder, type DiskTools } from './disk-tools';
import type { AttachedFolder, SiteDisks } from './site-disks';

/**
 * `DAIS_DISK_DRIVER=none`: site folders are plain folders on the sites filesystem and nothing
 * holds them to a limit (usage is not measured either). For development without root, and for
 * hosts whose sites filesystem is limited some other way.
 */
export class PlainDisks implements SiteDisks {
  readonly kind = 'none' as const;

  constructor(
    private readonly sitesRoot: string,
    private readonly tools: DiskTools,
  ) {}

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  async attach(siteId: number): Promise<AttachedFolder> {
    return { exists: await isFolder(this.siteDir(siteId)), remounted: false };
  }

  async create(siteId: number, staging: string): Promise<void> {
    await rename(staging, this.siteDir(siteId));
  }

  setLimit(): Promise<string[]> {
    return Promise.resolve([]);
  }

  usage(): Promise<null> {
    return Promise.resolve(null);
  }

  /** Moved aside first (instantly gone from view), then removed. */
  async remove(siteId: number): Promise<boolean> {
    return removeSiteFolder(this.sitesRoot, siteId, this.tools);
  }

  private siteDir(siteId: number): string {
    return join(this.sitesRoot, String(siteId));
  }
}

/** Deletes a plain site folder: renamed to `.trash-…` (gone from view at once), then removed. False if there was none. */
export async function removeSiteFolder(sitesRoot: string, siteId: number, tools: DiskTools): Promise<boolean> {
  const dir = join(sitesRoot, String(siteId));
  if (!(await isFolder(dir))) return false;
  const trash = join(sitesRoot, `.trash-${siteId}-${randomBytes(4).toString('hex')}`);
  await rename(dir, trash);
  await removeFolder(tools, trash);
  return true;
}

/** A real folder (not a link to one). */
export async function isFolder(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null))?.isDirectory() ?? false;
}
