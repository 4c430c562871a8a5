import type { operationKindSchema, operationStateSchema, siteTypeSchema, stepStateSchema } from '@dais/shared';
import type { z } from 'zod';

export type OperationKind = z.output<typeof operationKindSchema>;
export type OperationState = z.output<typeof operationStateSchema>;
export type StepState = z.output<typeof stepStateSchema>;
export type SiteType = z.output<typeof siteTypeSchema>;

/** An operation as services see it; `siteId` has no foreign key, so history outlives its site. */
export interface OperationRecord {
  id: number;
  siteId: number;
  siteName: string;
  kind: OperationKind;
  state: OperationState;
  error: string | null;
  requestedById: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** One ordered step of an operation. */
export interface OperationStepRecord {
  id: number;
  operationId: number;
  position: number;
  name: string;
  state: StepState;
  attempts: number;
  message: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** An operation with its steps, as repositories return it. */
export type OperationWithSteps = OperationRecord & { steps: OperationStepRecord[] };
