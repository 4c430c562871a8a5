import type { SiteDirectories } from '../sites/site-directories';
import { SiteFolder } from './site-folder';

/** Settings of {@link SiteFolderProvider}. */
export interface SiteFolderProviderOptions {
  files: SiteDirectories;
  /** Site N's files belong to uid/gid `uidBase + N` (as its processes). */
  uidBase: number;
  /** The site's disk limit in MiB, when this host enforces one (named when the disk is full). */
  diskLimitMbOf?(siteId: number): number | null;
}

/** Hands out the confined {@link SiteFolder} of any site on this host. */
export class SiteFolderProvider {
  /** chown needs root; without it (a developer's unprivileged run) files keep their creator. */
  private readonly canChown = process.getuid?.() === 0;

  constructor(private readonly options: SiteFolderProviderOptions) {}

  /** The folder of site `siteId` (it may not exist yet: operations then answer FILE_NOT_FOUND). */
  of(siteId: number): SiteFolder {
    const id = this.options.uidBase + siteId;
    return new SiteFolder({
      root: this.options.files.siteDir(siteId),
      owner: this.canChown ? { uid: id, gid: id } : null,
      diskLimitMb: this.options.diskLimitMbOf?.(siteId) ?? null,
    });
  }
}
