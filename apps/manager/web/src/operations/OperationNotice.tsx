import type { ReactNode } from 'react';
import type { OperationView } from '../api/types';
import { isUnderWay, OPERATION_RUNNING_LABELS } from './operation-labels';
import { Spinner } from '../ui/Spinner';

type OperationKind = OperationView['kind'];

/**
 * The site's latest operation, when it is one of `kinds`: its current step while it runs, its error
 * when it failed (the overview offers the retry). Nothing once it succeeded.
 */
export function OperationNotice({ operation, kinds }: { operation: OperationView | null; kinds: readonly OperationKind[] }): ReactNode {
  if (!operation || !kinds.includes(operation.kind)) return null;
  if (operation.state === 'failed') {
    return (
      <div className="notice notice-error" role="alert">
        {OPERATION_RUNNING_LABELS[operation.kind]} failed: {operation.error ?? 'no reason given'}. See the overview to retry it.
      </div>
    );
  }
  if (!isUnderWay(operation)) return null;
  const current = operation.steps.find((step) => step.state === 'running' || step.state === 'retrying');
  const done = operation.steps.filter((step) => step.state === 'succeeded').length;
  return (
    <div className="notice notice-info" role="status">
      <Spinner label="" /> {OPERATION_RUNNING_LABELS[operation.kind]}…
      {current ? ` ${current.title} (step ${done + 1} of ${operation.steps.length})` : ''}
      {current?.state === 'retrying' && current.message ? <div className="notice-detail">Retrying: {current.message}</div> : null}
    </div>
  );
}
