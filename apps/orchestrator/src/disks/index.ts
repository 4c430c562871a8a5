import { LoopDisks } from './loop-disks';
import { readMountTable } from './mount-table';
import { PlainDisks } from './plain-disks';
import type { DiskDriverKind, SiteDisks } from './site-disks';
import { systemDiskTools } from './disk-tools';
import { XfsQuotaDisks } from './xfs-quota-disks';

export { removeFolder, systemDiskTools, type DiskTools } from './disk-tools';
export { MIB } from './loop-sizing';
export { isFolder } from './plain-disks';
export type { AttachedFolder, DiskDriverKind, Quiesce, SiteDisks } from './site-disks';

/** Settings of {@link createSiteDisks}. */
export interface SiteDisksSettings {
  kind: DiskDriverKind;
  sitesRoot: string;
  /** Where `loop` keeps the images (outside the sites folder). */
  imagesDir: string;
  /** Site N's uid is `uidBase + N` (also its XFS project). */
  uidBase: number;
}

/** The disk driver the configuration names. */
export function createSiteDisks(settings: SiteDisksSettings): SiteDisks {
  const tools = systemDiskTools;
  switch (settings.kind) {
    case 'loop':
      return new LoopDisks({ sitesRoot: settings.sitesRoot, imagesDir: settings.imagesDir, tools });
    case 'xfs-prjquota':
      return new XfsQuotaDisks({
        sitesRoot: settings.sitesRoot,
        projectOf: (siteId) => settings.uidBase + siteId,
        tools,
        mounts: readMountTable,
      });
    case 'none':
      return new PlainDisks(settings.sitesRoot, tools);
  }
}
