import type { ReactNode } from 'react';
import { Link } from '../../app/router';
import type { AuditEventView } from '../../api/types';
import { timeAgo } from '../../ui/format';

/** Details as `key: value` text (JSON for nested values): rendered as text, never as markup. */
function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

/** One entry of the audit log. */
export function AuditRow({ event }: { event: AuditEventView }): ReactNode {
  const details = detailsText(event.details);
  return (
    <tr>
      <td title={event.at}>
        <time dateTime={event.at}>{timeAgo(event.at)}</time>
      </td>
      <td>{event.actor}</td>
      <td>
        <code>{event.action}</code>
        {details ? <div className="field-hint audit-details">{details}</div> : null}
      </td>
      <td>
        {event.siteId === null ? (
          '—'
        ) : (
          <>
            {event.siteName ?? `#${event.siteId}`}{' '}
            <Link
              to={`/admin/audit?siteId=${event.siteId}`}
              className="field-hint"
              aria-label={`Only events of ${event.siteName ?? `site ${event.siteId}`}`}
            >
              filter
            </Link>
          </>
        )}
      </td>
      <td>{event.ip ?? '—'}</td>
    </tr>
  );
}
