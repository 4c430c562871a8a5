import { createContext, useCallback, useContext, type ReactNode } from 'react';
import { Link } from '../../app/router';
import { useApi, type ApiResource } from '../../api/use-api';
import type { OperationView, SiteView } from '../../api/types';
import { useSiteEvents } from '../../live/site-events';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Loading } from '../../ui/Spinner';
import { StatusDot } from '../../ui/StatusDot';
import { siteHealth } from '../sites/site-health';

export type SiteTab = 'overview' | 'files' | 'terminal' | 'logs' | 'domains' | 'database' | 'settings';

const TABS: readonly { tab: SiteTab; label: string; path: string; dynamicOnly?: boolean }[] = [
  { tab: 'overview', label: 'Overview', path: '' },
  { tab: 'files', label: 'Files', path: '/files' },
  { tab: 'terminal', label: 'Terminal', path: '/terminal' },
  { tab: 'logs', label: 'Logs', path: '/logs', dynamicOnly: true },
  { tab: 'domains', label: 'Domains', path: '/domains' },
  { tab: 'database', label: 'Database', path: '/database' },
  { tab: 'settings', label: 'Settings', path: '/settings' },
];

interface SiteContextValue {
  site: SiteView;
  /** Re-reads the site (after a change the screen made). */
  reload: () => Promise<void>;
  /** Shows a site the screen already has (an API answer), without a request. */
  setSite: (site: SiteView) => void;
  /** Shows an operation the screen just started, before its first live event arrives. */
  trackOperation: (operation: OperationView) => void;
}

const SiteContext = createContext<SiteContextValue | null>(null);

/**
 * Every site page: loads the site once, keeps it live (operations, changes by other members) and
 * shows its name, status dot and tabs. Screens inside read it with {@link useSite}.
 * A site the person may not see answers 404 like one that does not exist, and says so.
 */
export function SiteFrame({ siteId, tab, children }: { siteId: string; tab: SiteTab; children: ReactNode }): ReactNode {
  const id = /^[1-9][0-9]{0,9}$/.test(siteId) ? Number(siteId) : null;
  const site = useApi<SiteView>(id === null ? null : `/api/sites/${id}`);
  useSiteEvents(id === null ? [] : [id], {
    onSite: (fresh) => site.set(fresh),
    onOperation: (operation) => site.set((current) => current && mergeOperation(current, operation)),
    onResubscribed: () => void site.reload(),
  });
  const trackOperation = useCallback(
    (operation: OperationView) => site.set((current) => current && mergeOperation(current, operation)),
    [site],
  );

  if (id === null || site.error?.status === 404) return <SiteNotFound />;
  if (!site.data) return site.error ? <ErrorNotice error={site.error} /> : <Loading what="the site" />;
  return (
    <SiteContext.Provider value={{ site: site.data, reload: site.reload, setSite: site.set, trackOperation }}>
      <SiteHeader site={site.data} tab={tab} />
      <ErrorNotice error={site.error} />
      {children}
    </SiteContext.Provider>
  );
}

function SiteHeader({ site, tab }: { site: SiteView; tab: SiteTab }): ReactNode {
  const health = siteHealth(site);
  return (
    <div className="site-header">
      <p className="breadcrumb">
        <Link to="/sites">Sites</Link> / {site.name}
      </p>
      <div className="page-header">
        <h1>{site.name}</h1>
        <StatusDot tone={health.tone} label={health.label} />
        <a href={site.url} target="_blank" rel="noreferrer noopener" className="site-url">
          {site.url}
        </a>
      </div>
      <nav className="tabs" aria-label="Site">
        {TABS.filter((entry) => !entry.dynamicOnly || site.type === 'dynamic').map((entry) => (
          <Link key={entry.tab} to={`/sites/${site.id}${entry.path}`} aria-current={entry.tab === tab ? 'page' : undefined}>
            {entry.label}
          </Link>
        ))}
      </nav>
    </div>
  );
}

function SiteNotFound(): ReactNode {
  return (
    <section>
      <h1>Site not found</h1>
      <p>There is no such site, or you are not one of its members. Ask a member to add you.</p>
      <Link to="/sites">Back to your sites</Link>
    </section>
  );
}

/** The site with this operation as its latest (newer operations replace older ones, never the reverse). */
function mergeOperation(site: SiteView, operation: OperationView): SiteView {
  if (site.operation && site.operation.id > operation.id) return site;
  return { ...site, operation };
}

export function useSite(): SiteContextValue {
  const value = useContext(SiteContext);
  if (!value) throw new Error('useSite outside SiteFrame');
  return value;
}

export type { ApiResource };
