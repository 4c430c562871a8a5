import { useState, type ReactNode } from 'react';
import { ResourceStatus } from '../../ui/ResourceStatus';
import { navigate, useQuery } from '../../app/router';
import { useApi } from '../../api/use-api';
import type { OperationView } from '../../api/types';
import { useSiteEvents } from '../../live/site-events';
import { Pager } from '../../ui/Pager';
import { apiPath, cursorsFrom, sectionUrl } from './admin-list-url';
import { FailedOperationRow } from './FailedOperationRow';

const PAGE_SIZE = 25;

/**
 * Operations that failed, newest first, each with a way out: retry it from the failed step, or
 * repair the whole site. What was started here is followed live until it ends.
 */
export function AdminOperations(): ReactNode {
  const cursors = cursorsFrom(useQuery());
  const failed = useApi<{ operations: OperationView[]; nextCursor: number | null }>(
    apiPath('/api/operations', { state: 'failed', limit: PAGE_SIZE, cursor: cursors.at(-1) }),
  );
  // The latest operation of each site started from this page (a retry or a repair), updated live.
  const [followed, setFollowed] = useState<ReadonlyMap<number, OperationView>>(new Map());
  const follow = (operation: OperationView): void => {
    const siteId = operation.siteId;
    if (siteId === null) return;
    setFollowed((current) => {
      const known = current.get(siteId);
      // Events of an older operation of the site must not replace the one being followed.
      if (known && known.id > operation.id) return current;
      return new Map(current).set(siteId, operation);
    });
  };

  const list = failed.data?.operations ?? [];
  useSiteEvents(
    list.flatMap((operation) => (operation.siteId === null ? [] : [operation.siteId])),
    {
      // Anything newer than a listed failure (or that failure running again) is its way out: show it.
      onOperation: (operation) => {
        const resumes = list.some(
          (failure) =>
            failure.siteId === operation.siteId &&
            (failure.id < operation.id || (failure.id === operation.id && operation.state !== 'failed')),
        );
        if (resumes) follow(operation);
      },
    },
  );

  return (
    <div>
      <ResourceStatus
        resource={failed}
        what="the failed operations"
        isEmpty={list.length === 0}
        empty="No operation has failed. Nothing to repair."
      />
      {list.length > 0 ? (
        <ul className="admin-list" aria-label="Failed operations" aria-busy={failed.loading || undefined}>
          {list.map((operation) => (
            <FailedOperationRow
              key={operation.id}
              operation={operation}
              followed={operation.siteId === null ? undefined : followed.get(operation.siteId)}
              onStarted={follow}
            />
          ))}
        </ul>
      ) : null}
      <Pager
        cursors={cursors}
        nextCursor={failed.data?.nextCursor ?? null}
        onPage={(next) => navigate(sectionUrl('operations', {}, next))}
      />
    </div>
  );
}
