import type { UpdateSiteRequest } from '@dais/shared/rules';
import { manager } from '../../api/client';
import { useAction, type Action } from '../../api/use-api';
import type { SiteView } from '../../api/types';
import { useSite } from '../site/SiteFrame';

/**
 * `PATCH /api/sites/:id` for one section of the settings: the answer (the site, with the update_site
 * operation when the change must be applied) replaces the shown site at once.
 */
export function useSiteUpdate(): Action<[changes: UpdateSiteRequest]> {
  const { site, setSite } = useSite();
  return useAction(async (changes: UpdateSiteRequest) => {
    setSite(await manager.patch<SiteView>(`/api/sites/${site.id}`, changes));
  });
}
