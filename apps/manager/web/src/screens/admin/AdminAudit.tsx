import type { ReactNode } from 'react';
import { navigate, useQuery } from '../../app/router';
import { useApi } from '../../api/use-api';
import type { AuditEventView } from '../../api/types';
import { Pager } from '../../ui/Pager';
import { ResourceStatus } from '../../ui/ResourceStatus';
import { apiPath, cursorsFrom, sectionUrl } from './admin-list-url';
import { AuditRow } from './AuditRow';

const PAGE_SIZE = 50;

/** Who did what, to which site, when and from where — newest first, optionally for one site. */
export function AdminAudit(): ReactNode {
  const query = useQuery();
  const siteId = query.get('siteId') ?? '';
  const cursors = cursorsFrom(query);
  const events = useApi<{ events: AuditEventView[]; nextCursor: number | null }>(
    apiPath('/api/audit', { siteId: /^\d+$/.test(siteId) ? siteId : undefined, limit: PAGE_SIZE, cursor: cursors.at(-1) }),
  );
  const list = events.data?.events ?? [];
  return (
    <div>
      {siteId ? (
        <p className="notice notice-info">
          Only events of site {list.find((event) => event.siteName)?.siteName ?? `#${siteId}`}.{' '}
          <button type="button" className="button button-ghost button-small" onClick={() => navigate(sectionUrl('audit', {}))}>
            Show all
          </button>
        </p>
      ) : null}
      <ResourceStatus resource={events} what="the audit log" isEmpty={list.length === 0} empty="Nothing recorded yet." />
      {list.length > 0 ? (
        <div className="table-wrap">
          <table className="table audit-table" aria-label="Audit log" aria-busy={events.loading || undefined}>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Site</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {list.map((event) => (
                <AuditRow key={event.id} event={event} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager
        cursors={cursors}
        nextCursor={events.data?.nextCursor ?? null}
        onPage={(next) => navigate(sectionUrl('audit', { siteId }, next))}
      />
    </div>
  );
}
