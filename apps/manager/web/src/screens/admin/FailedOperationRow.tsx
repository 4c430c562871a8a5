import type { ReactNode } from 'react';
import { OPERATION_TITLES } from '../../operations/operation-labels';
import { Link } from '../../app/router';
import { manager } from '../../api/client';
import { useAction } from '../../api/use-api';
import type { OperationView } from '../../api/types';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { timeAgo } from '../../ui/format';
import { OperationProgress } from './OperationProgress';

/** One failed operation: where it stopped and why, with Retry and Repair (then their progress). */
export function FailedOperationRow({
  operation,
  followed,
  onStarted,
}: {
  operation: OperationView;
  /** The retry or repair started from this page for the same site, if any. */
  followed: OperationView | undefined;
  onStarted: (operation: OperationView) => void;
}): ReactNode {
  const failedStep = operation.steps.find((step) => step.state === 'failed');
  const retry = useAction(async () => onStarted(await manager.post<OperationView>(`/api/operations/${operation.id}/retry`)));
  const repair = useAction(async () => onStarted(await manager.post<OperationView>(`/api/sites/${operation.siteId ?? 0}/repair`)));
  const running = followed !== undefined && (followed.state === 'pending' || followed.state === 'running');
  const at = operation.finishedAt ?? operation.createdAt;
  return (
    <li className="admin-row" aria-label={`Operation ${operation.id}: ${OPERATION_TITLES[operation.kind]} of ${operation.siteName}`}>
      <div className="admin-row-main">
        <span className="admin-row-title">{OPERATION_TITLES[operation.kind]}</span>
        {operation.siteId === null ? (
          <span>{operation.siteName}</span>
        ) : (
          <Link to={`/sites/${operation.siteId}`}>{operation.siteName}</Link>
        )}
        <span className="field-hint" title={at}>
          failed {timeAgo(at)}
        </span>
      </div>
      {failedStep ? (
        <p className="operation-failed-step">
          Stopped at: <strong>{failedStep.title}</strong>
          {failedStep.attempts > 1 ? ` (after ${failedStep.attempts} attempts)` : ''}
        </p>
      ) : null}
      {operation.error ? <p className="operation-error">{operation.error}</p> : null}
      <div className="admin-row-actions">
        <Button busy={retry.busy} disabled={running || repair.busy} onClick={() => void retry.run()}>
          Retry
        </Button>
        {operation.siteId === null ? null : (
          <Button busy={repair.busy} disabled={running || retry.busy} onClick={() => void repair.run()}>
            Repair site
          </Button>
        )}
      </div>
      <ErrorNotice error={retry.error ?? repair.error} />
      {followed ? (
        <OperationProgress operation={followed} label={followed.id === operation.id ? 'Retry' : OPERATION_TITLES[followed.kind]} />
      ) : null}
    </li>
  );
}
