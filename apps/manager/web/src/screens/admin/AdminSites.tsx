import { useEffect, useState, type ReactNode } from 'react';
import { ResourceStatus } from '../../ui/ResourceStatus';
import { navigate, useQuery } from '../../app/router';
import { useApi } from '../../api/use-api';
import type { SiteView } from '../../api/types';
import { useSiteEvents } from '../../live/site-events';
import { Pager } from '../../ui/Pager';
import { AdminSiteRow } from './AdminSiteRow';
import { apiPath, cursorsFrom, sectionUrl } from './admin-list-url';
import { SiteFilters, type SiteFilterValues } from './SiteFilters';

const PAGE_SIZE = 25;

/** Every site of the installation, filtered and paged in the URL, with availability and limits at hand. */
export function AdminSites(): ReactNode {
  const query = useQuery();
  const search = query.get('search') ?? '';
  const type = query.get('type') ?? '';
  const state = query.get('state') ?? '';
  const availability = query.get('availability') ?? '';
  const filters: SiteFilterValues = { search, type, state, availability };
  const cursors = cursorsFrom(query);
  const [typed, setTyped] = useState(filters.search);
  const sites = useApi<{ sites: SiteView[]; nextCursor: number | null }>(
    apiPath('/api/sites', { ...filters, limit: PAGE_SIZE, cursor: cursors.at(-1) }),
  );

  // Typing searches after a short pause (one request per word, not per key).
  useEffect(() => {
    if (typed === search) return undefined;
    const timer = window.setTimeout(
      () => navigate(sectionUrl('sites', { type, state, availability, search: typed }), { replace: true }),
      250,
    );
    return () => window.clearTimeout(timer);
  }, [typed, search, type, state, availability]);

  const replaceSite = (site: SiteView): void =>
    sites.set((current) => ({
      nextCursor: current?.nextCursor ?? null,
      sites: (current?.sites ?? []).map((row) => (row.id === site.id ? site : row)),
    }));
  const shown = sites.data?.sites ?? [];
  useSiteEvents(
    shown.map((site) => site.id),
    {
      onSite: replaceSite,
      onOperation: (operation) => {
        const site = shown.find((row) => row.id === operation.siteId);
        if (site) replaceSite({ ...site, operation });
      },
      onResubscribed: () => void sites.reload(),
    },
  );

  return (
    <div>
      <SiteFilters
        values={{ ...filters, search: typed }}
        onSearch={setTyped}
        onChange={(name, value) => navigate(sectionUrl('sites', { ...filters, [name]: value }))}
      />
      <p className="field-hint">
        Availability: <em>not served</em> shows visitors a 503 page; <em>disabled</em> does too and locks the owners out until it is enabled
        again. Container limits apply to dynamic sites; every site has a disk limit (the default unless set here).
      </p>
      <ResourceStatus resource={sites} what="the sites" isEmpty={shown.length === 0} empty="No site matches these filters." />
      {shown.length > 0 ? (
        <ul className="admin-list" aria-label="Sites" aria-busy={sites.loading || undefined}>
          {shown.map((site) => (
            <AdminSiteRow key={site.id} site={site} onChanged={replaceSite} />
          ))}
        </ul>
      ) : null}
      <Pager
        cursors={cursors}
        nextCursor={sites.data?.nextCursor ?? null}
        onPage={(next) => navigate(sectionUrl('sites', filters, next))}
      />
    </div>
  );
}
