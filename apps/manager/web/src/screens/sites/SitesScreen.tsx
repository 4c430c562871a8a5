import { useEffect, useState, type ReactNode } from 'react';
import { Link, navigate, useQuery } from '../../app/router';
import { useApi } from '../../api/use-api';
import type { SiteView } from '../../api/types';
import { useSiteEvents } from '../../live/site-events';
import { Pager } from '../../ui/Pager';
import { ResourceStatus } from '../../ui/ResourceStatus';
import { StatusDot } from '../../ui/StatusDot';
import { siteHealth } from './site-health';

const PAGE_SIZE = 20;

/** The sites the person may see, newest first, with a live dot each; search and pages live in the URL. */
export function SitesScreen(): ReactNode {
  const query = useQuery();
  const search = query.get('q') ?? '';
  const cursors = (query.get('pages') ?? '').split('.').filter(Boolean).map(Number);
  const [typed, setTyped] = useState(search);
  const cursor = cursors.at(-1);
  const path = `/api/sites?limit=${PAGE_SIZE}${search ? `&search=${encodeURIComponent(search)}` : ''}${cursor ? `&cursor=${cursor}` : ''}`;
  const sites = useApi<{ sites: SiteView[]; nextCursor: number | null }>(path);

  // Typing searches after a short pause (one request per word, not per key).
  useEffect(() => {
    if (typed === search) return undefined;
    const timer = window.setTimeout(() => navigate(listUrl(typed, []), { replace: true }), 250);
    return () => window.clearTimeout(timer);
  }, [typed, search]);

  const shown = sites.data?.sites ?? [];
  useSiteEvents(
    shown.map((site) => site.id),
    {
      onSite: (site) =>
        sites.set((current) => ({
          nextCursor: current?.nextCursor ?? null,
          sites: (current?.sites ?? []).map((row) => (row.id === site.id ? site : row)),
        })),
      onOperation: (operation) =>
        sites.set((current) => ({
          nextCursor: current?.nextCursor ?? null,
          sites: (current?.sites ?? []).map((row) => (row.id === operation.siteId ? { ...row, operation } : row)),
        })),
      onResubscribed: () => void sites.reload(),
    },
  );

  return (
    <section>
      <div className="page-header">
        <h1>Sites</h1>
        <Link to="/sites/new" className="button button-primary">
          New site
        </Link>
      </div>
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Search sites</span>
          <input
            type="search"
            placeholder="Search by name or description"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
          />
        </label>
      </div>
      <ResourceStatus resource={sites} what="your sites" />
      {sites.data && shown.length === 0 ? <EmptySites searching={search !== ''} /> : null}
      {shown.length > 0 ? (
        <ul className="site-list" aria-busy={sites.loading || undefined}>
          {shown.map((site) => (
            <SiteRow key={site.id} site={site} />
          ))}
        </ul>
      ) : null}
      <Pager cursors={cursors} nextCursor={sites.data?.nextCursor ?? null} onPage={(next) => navigate(listUrl(search, next))} />
    </section>
  );
}

function SiteRow({ site }: { site: SiteView }): ReactNode {
  const health = siteHealth(site);
  return (
    <li className="site-row">
      <Link to={`/sites/${site.id}`} className="site-row-name">
        {site.name}
      </Link>
      <StatusDot tone={health.tone} label={health.label} />
      <span className="site-row-type">{site.type}</span>
      <span className="site-row-description">{site.description}</span>
    </li>
  );
}

function EmptySites({ searching }: { searching: boolean }): ReactNode {
  if (searching) return <p className="empty">No site matches this search.</p>;
  return (
    <div className="empty">
      <p>You have no sites yet.</p>
      <Link to="/sites/new" className="button button-primary">
        Create your first site
      </Link>
    </div>
  );
}

function listUrl(search: string, cursors: readonly number[]): string {
  const params = new URLSearchParams();
  if (search) params.set('q', search);
  if (cursors.length > 0) params.set('pages', cursors.join('.'));
  const text = params.toString();
  return text ? `/sites?${text}` : '/sites';
}
