import type { ReactNode } from 'react';
import { manager } from '../../api/client';
import type { OperationView } from '../../api/types';
import { useAction } from '../../api/use-api';
import { Button } from '../../ui/Button';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { StatusDot, type Tone } from '../../ui/StatusDot';
import { formatDuration } from '../../ui/format';
import { currentStep, OPERATION_TITLES, STEP_STATE_LABELS } from '../../operations/operation-labels';
import { elapsedMs, useTickingClock } from './use-ticking-clock';

const OPERATION_TONES: Readonly<Record<OperationView['state'], { tone: Tone; label: string }>> = {
  pending: { tone: 'busy', label: 'Queued' },
  running: { tone: 'busy', label: 'In progress' },
  succeeded: { tone: 'ok', label: 'Succeeded' },
  failed: { tone: 'bad', label: 'Failed' },
};

/**
 * The site's latest operation, live: every step with its state and time, the current one marked,
 * and for a failed operation its error (which says what to do) and a Retry that resumes at the
 * failed step.
 */
export function OperationProgress({
  operation,
  onStarted,
}: {
  operation: OperationView;
  /** The retried operation, to show at once before its first live event. */
  onStarted: (operation: OperationView) => void;
}): ReactNode {
  const unfinished = operation.state === 'pending' || operation.state === 'running';
  const now = useTickingClock(unfinished);
  const retry = useAction(async () => onStarted(await manager.post<OperationView>(`/api/operations/${operation.id}/retry`)));
  const current = currentStep(operation);
  const total = elapsedMs(operation.startedAt ?? operation.createdAt, operation.finishedAt, now);
  const status = OPERATION_TONES[operation.state];

  return (
    <section className="card operation" aria-labelledby="operation-title" data-operation-state={operation.state}>
      <div className="operation-header">
        <h2 id="operation-title">{OPERATION_TITLES[operation.kind]}</h2>
        <StatusDot tone={status.tone} label={status.label} />
        {total !== null ? (
          <span className="operation-elapsed" aria-label="Total time">
            {formatDuration(total)}
          </span>
        ) : null}
      </div>
      <ol className="operation-steps">
        {operation.steps.map((step) => (
          <li
            key={step.position}
            className={`operation-step step-${step.state}`}
            data-step-state={step.state}
            aria-current={step === current ? 'step' : undefined}
          >
            <span className="step-marker" aria-hidden="true" />
            <span className="step-title">{step.title}</span>
            <span className="step-state">
              {STEP_STATE_LABELS[step.state]}
              {step.attempts > 1 ? ` (attempt ${step.attempts})` : ''}
            </span>
            <StepTime startedAt={step.startedAt} finishedAt={step.finishedAt} now={now} />
            {step.message && step.state !== 'succeeded' ? <span className="step-message">{step.message}</span> : null}
          </li>
        ))}
      </ol>
      {operation.state === 'failed' ? (
        <div className="notice notice-error" role="alert">
          <p className="operation-error">{operation.error ?? 'The operation failed.'}</p>
          <div className="actions">
            <Button variant="primary" busy={retry.busy} onClick={() => void retry.run()}>
              Retry
            </Button>
          </div>
        </div>
      ) : null}
      <ErrorNotice error={retry.error} />
    </section>
  );
}

function StepTime({ startedAt, finishedAt, now }: { startedAt: string | null; finishedAt: string | null; now: number }): ReactNode {
  const elapsed = elapsedMs(startedAt, finishedAt, now);
  return <span className="step-time">{elapsed === null ? '' : formatDuration(elapsed)}</span>;
}
