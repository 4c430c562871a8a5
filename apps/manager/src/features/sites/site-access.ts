import { DaisError } from '@dais/shared';
import type { SiteRecord, SiteRepository, SiteViewer } from './site.repository';

/** A site the viewer may see; a site they may not see answers exactly like one that does not exist. */
export async function visibleSite(sites: SiteRepository, viewer: SiteViewer, siteId: number): Promise<SiteRecord> {
  const site = await sites.findVisible(siteId, viewer);
  if (!site) throw new DaisError('SITE_NOT_FOUND', `There is no site ${siteId}, or you are not one of its members.`);
  return site;
}

/** Refuses to change a site whose deletion is under way (its record is about to go). */
export function assertNotDeleting(site: Pick<SiteRecord, 'name' | 'state'>): void {
  if (site.state === 'deleting') throw new DaisError('SITE_BUSY', `${site.name} is being deleted; it can no longer be changed.`);
}

/**
 * A site the viewer may change. Admins disable a site (availability `disabled`) to lock its
 * owners out: they still see it, but every change, the SQL console and the shell are refused.
 */
export async function changeableSite(sites: SiteRepository, viewer: SiteViewer, siteId: number): Promise<SiteRecord> {
  const site = await visibleSite(sites, viewer, siteId);
  assertUnlocked(site, viewer);
  return site;
}

/** Refuses non-admins on a site an admin disabled. */
export function assertUnlocked(site: Pick<SiteRecord, 'name' | 'availability'>, viewer: SiteViewer): void {
  if (viewer.role !== 'admin' && site.availability === 'disabled') {
    throw new DaisError('SITE_LOCKED', `An admin disabled ${site.name}: it cannot be changed until an admin enables it again.`);
  }
}
