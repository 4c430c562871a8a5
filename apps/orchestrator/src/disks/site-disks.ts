import type { SiteDiskUsage } from '@dais/shared';

/** How site folders get their disk limit: see docs/files.md#disk-limits. */
export type DiskDriverKind = 'none' | 'loop' | 'xfs-prjquota';

/**
 * Stops what keeps a site folder busy (the site's containers), so it can be unmounted; null when
 * the caller must not stop the site (self-repair): a change that needs it waits for the next apply.
 */
export type Quiesce = (() => Promise<void>) | null;

/** What {@link SiteDisks.attach} found. */
export interface AttachedFolder {
  /** The site has a folder (made by {@link SiteDisks.create}, or from before the driver). */
  exists: boolean;
  /** It had to be mounted now: containers started before saw the empty folder beneath and need a restart. */
  remounted: boolean;
}

/**
 * Where a site's folder lives and how its size is held to a limit. Every call is for one site,
 * under that site's lock; `prepare` runs once at start before any other.
 */
export interface SiteDisks {
  readonly kind: DiskDriverKind;
  /** Checks the tools and the filesystem are there; (loop) mounts every site image not mounted. */
  prepare(): Promise<void>;
  /** Whether the site has a folder; (loop) mounts it first when it was not. */
  attach(siteId: number): Promise<AttachedFolder>;
  /**
   * Makes the folder of a new site from a filled staging folder (owned as the site's folders
   * must be), limited to `limitMb`. The staging folder is gone afterwards.
   */
  create(siteId: number, staging: string, limitMb: number, owner: { uid: number }): Promise<void>;
  /**
   * Gives an existing folder this limit. Raising is done at once where it can be online; what needs
   * the folder's users stopped (`quiesce`) waits when there is no `quiesce`; lowering is refused
   * below what the site stores. Returns sentences for the owner when the limit could not be set
   * as asked (the old one then stays).
   */
  setLimit(siteId: number, limitMb: number, quiesce: Quiesce): Promise<string[]>;
  /** Used bytes and the limit now; null when this driver sets no limit (or the site has no folder). */
  usage(siteId: number): Promise<SiteDiskUsage | null>;
  /** Deletes the site's folder (and its image); false if there was none. */
  remove(siteId: number): Promise<boolean>;
}
