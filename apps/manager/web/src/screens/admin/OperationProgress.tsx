import type { ReactNode } from 'react';
import type { OperationView } from '../../api/types';
import { StatusDot, type Tone } from '../../ui/StatusDot';

const TONES: Record<OperationView['state'], Tone> = { pending: 'busy', running: 'busy', succeeded: 'ok', failed: 'bad' };

/** Where a running operation is, live: the state as a whole, then each step with its message. */
export function OperationProgress({ operation, label }: { operation: OperationView; label: string }): ReactNode {
  const done = operation.steps.filter((step) => step.state === 'succeeded').length;
  return (
    <div className="operation-progress" role="status" aria-live="polite">
      <StatusDot tone={TONES[operation.state]} label={`${label}: ${operation.state} (${done} of ${operation.steps.length} steps)`} />
      <ol className="operation-steps">
        {operation.steps.map((step) => (
          <li key={step.position} data-state={step.state}>
            {step.title} — {step.state}
            {step.message ? <span className="field-hint"> · {step.message}</span> : null}
          </li>
        ))}
      </ol>
      {operation.state === 'failed' && operation.error ? <p className="operation-error">{operation.error}</p> : null}
    </div>
  );
}
