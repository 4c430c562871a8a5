import type { OperationView } from '@dais/shared';
import type { OperationWithSteps } from './operation';
import { isStepName, STEP_TITLES } from './operation-catalogue';

/** Where services have always found it. */
export type { OperationWithSteps };

/** The API's view of an operation: steps in order, times as ISO strings, nothing internal. */
export function toOperationView(operation: OperationWithSteps): OperationView {
  return {
    id: operation.id,
    siteId: operation.siteId,
    siteName: operation.siteName,
    kind: operation.kind,
    state: operation.state,
    error: operation.error,
    steps: [...operation.steps]
      .sort((a, b) => a.position - b.position)
      .map((step) => ({
        position: step.position,
        name: step.name,
        title: isStepName(step.name) ? STEP_TITLES[step.name] : step.name,
        state: step.state,
        attempts: step.attempts,
        message: step.message,
        startedAt: iso(step.startedAt),
        finishedAt: iso(step.finishedAt),
      })),
    createdAt: operation.createdAt.toISOString(),
    startedAt: iso(operation.startedAt),
    finishedAt: iso(operation.finishedAt),
  };
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
