import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DaisError, withLogContext, type OperationView } from '@dais/shared';
import type { OperationKind } from './operation';
import { isStepName, STEP_TITLES, type StepName } from './operation-catalogue';
import type { DomainEffect, OperationEnding, SiteEffect, StepUpdate } from './operation.repository';
import { toOperationView, type OperationWithSteps } from './operation-view';

/** Where the runner reads and records operations (the repository in production, a fake in unit tests). */
export interface OperationStore {
  find(id: number): Promise<OperationWithSteps | null>;
  markRunning(id: number, now: Date): Promise<void>;
  updateStep(stepId: number, update: StepUpdate): Promise<void>;
  finish(ending: OperationEnding): Promise<void>;
  hasEarlierUnfinished(siteId: number, id: number): Promise<boolean>;
}

/** Carries out one step for a site against the other components. */
export interface StepExecutor {
  /**
   * `report` shows progress of a long step (e.g. the latest build log line) as the step's message.
   * A step that succeeded may return a note for the owner (what a component repaired), kept as its message.
   */
  execute(step: StepName, siteId: number, report: (message: string) => Promise<void>): Promise<string | undefined>;
}

/** Receives every change of an operation, to show it live. */
export interface OperationEvents {
  operationChanged(siteId: number, view: OperationView): Promise<void>;
  /** The operation ended (either way): the site itself may look different now. */
  operationEnded(siteId: number, operationId: number): Promise<void>;
}

/** Injection tokens for the runner's collaborators. */
export const OPERATION_STORE = Symbol('OPERATION_STORE');
export const STEP_EXECUTOR = Symbol('STEP_EXECUTOR');
export const OPERATION_EVENTS = Symbol('OPERATION_EVENTS');

/** A step failed in a way that may pass (a component was unreachable): run the operation again later. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/** The operation has failed for good; it waits for a person to retry it. */
export class OperationFailedError extends Error {
  override readonly name = 'OperationFailedError';
}

/** What a run achieved: the operation finished (either way), or must wait for an earlier one on its site. */
export type RunOutcome = 'finished' | 'wait';

/**
 * Runs an operation's steps in order, skipping those already done, recording each step's state
 * and announcing every change. Safe to run again after a crash at any point: steps are idempotent.
 */
@Injectable()
export class OperationRunner {
  private readonly logger = new Logger(OperationRunner.name);

  constructor(
    @Inject(OPERATION_STORE) private readonly store: OperationStore,
    @Inject(STEP_EXECUTOR) private readonly executor: StepExecutor,
    @Inject(OPERATION_EVENTS) private readonly events: OperationEvents,
  ) {}

  /** Runs the operation; `finalAttempt` says whether a transient failure may still be retried. */
  async run(operationId: number, { finalAttempt }: { finalAttempt: boolean }): Promise<RunOutcome> {
    const operation = await this.store.find(operationId);
    if (!operation || operation.state === 'succeeded' || operation.state === 'failed') return 'finished';
    // Every line logged and peer call made from here on names the operation and its site.
    return withLogContext({ operationId: operation.id, siteId: operation.siteId }, () => this.runSteps(operation, finalAttempt));
  }

  private async runSteps(operation: OperationWithSteps, finalAttempt: boolean): Promise<RunOutcome> {
    if (await this.store.hasEarlierUnfinished(operation.siteId, operation.id)) return 'wait';
    await this.store.markRunning(operation.id, new Date());
    await this.announce(operation.id);
    for (const step of operation.steps) {
      if (step.state === 'succeeded') continue;
      await this.runStep(operation, step, finalAttempt);
    }
    await this.store.finish({
      id: operation.id,
      state: 'succeeded',
      error: null,
      now: new Date(),
      siteEffect: effectOf(operation.kind, 'succeeded', operation.siteId),
      domainEffect: domainEffectOf(operation, 'succeeded'),
    });
    await this.announce(operation.id, { ended: true });
    this.logger.log(`operation ${operation.id} (${operation.kind}) succeeded`);
    return 'finished';
  }

  private async runStep(operation: OperationWithSteps, step: OperationWithSteps['steps'][number], finalAttempt: boolean): Promise<void> {
    await this.store.updateStep(step.id, {
      state: 'running',
      attempts: { increment: 1 },
      startedAt: new Date(),
      finishedAt: null,
      message: null,
    });
    await this.announce(operation.id);
    let failure: { error: unknown } | null = null;
    let note: string | undefined;
    try {
      if (!isStepName(step.name))
        throw new DaisError('OPERATION_NOT_RETRYABLE', `This version of Dais does not know the step "${step.name}".`);
      const report = async (message: string) => {
        if (!(await this.stillRunning(operation.id))) return;
        await this.store.updateStep(step.id, { state: 'running', message: message.slice(0, 2000) });
        await this.announce(operation.id);
      };
      note = await this.executor.execute(step.name, operation.siteId, report);
    } catch (error) {
      failure = { error };
    }
    // The sweeper may have given up on this operation while the step hung: its verdict stands.
    if (!(await this.stillRunning(operation.id))) throw new OperationFailedError(`operation ${operation.id} was ended meanwhile`);
    if (failure) return this.stepFailed(operation, step, failure.error, finalAttempt);
    // Progress lines were for while it ran; a finished step speaks through its state and its note, if any.
    await this.store.updateStep(step.id, { state: 'succeeded', finishedAt: new Date(), message: note ? note.slice(0, 2000) : null });
    await this.announce(operation.id);
  }

  /** Records a failed step: retried later when it may pass, else the operation fails with what to do. */
  private async stepFailed(
    operation: OperationWithSteps,
    step: OperationWithSteps['steps'][number],
    error: unknown,
    finalAttempt: boolean,
  ): Promise<never> {
    const message = this.describe(error, operation.id);
    if (isRetryable(error) && !finalAttempt) {
      this.logger.log(`operation ${operation.id}: "${step.name}" failed, retrying: ${message}`);
      await this.store.updateStep(step.id, { state: 'retrying', message: `${message} Retrying automatically.` });
      await this.announce(operation.id);
      throw new RetryLaterError(message);
    }
    const title = isStepName(step.name) ? STEP_TITLES[step.name] : step.name;
    await this.store.updateStep(step.id, { state: 'failed', message, finishedAt: new Date() });
    await this.store.finish({
      id: operation.id,
      state: 'failed',
      error: `"${title}" failed: ${message} Fix the cause and retry the operation; it resumes from this step.`,
      now: new Date(),
      siteEffect: effectOf(operation.kind, 'failed', operation.siteId),
      domainEffect: domainEffectOf(operation, 'failed', message),
    });
    await this.announce(operation.id, { ended: true });
    this.logger.warn(`operation ${operation.id} (${operation.kind}) failed at "${title}": ${message}`);
    throw new OperationFailedError(message);
  }

  private async stillRunning(operationId: number): Promise<boolean> {
    return (await this.store.find(operationId))?.state === 'running';
  }

  /** A message for the site owner: coded errors speak for themselves; anything else gets a reference. */
  private describe(error: unknown, operationId: number): string {
    if (error instanceof DaisError) return error.message;
    const reference = randomUUID();
    this.logger.error(
      `operation ${operationId}: unexpected error (reference ${reference})`,
      error instanceof Error ? error.stack : String(error),
    );
    return `An unexpected error happened (reference ${reference}).`;
  }

  /** Live updates are best-effort: a lost event must never fail the operation itself. */
  private async announce(operationId: number, { ended = false } = {}): Promise<void> {
    try {
      const operation = await this.store.find(operationId);
      if (operation) await this.events.operationChanged(operation.siteId, toOperationView(operation));
      if (operation && ended) await this.events.operationEnded(operation.siteId, operation.id);
    } catch (error) {
      this.logger.warn(`could not announce operation ${operationId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Coded errors say whether a retry can help; unknown errors (a database hiccup) get retried. */
function isRetryable(error: unknown): boolean {
  return error instanceof DaisError ? error.transient : true;
}

/**
 * What an operation's end does to its site. A failed create or delete marks the site failed; a
 * failed update leaves the site as it was (still serving its previous state), and a successful
 * one clears an earlier failure.
 */
export function effectOf(kind: OperationKind, outcome: 'succeeded' | 'failed', siteId: number): SiteEffect {
  const succeeded = outcome === 'succeeded';
  switch (kind) {
    case 'create_site':
      return { kind: 'set-state', siteId, state: succeeded ? 'active' : 'failed' };
    case 'update_site':
    case 'repair_site':
      return succeeded ? { kind: 'set-state', siteId, state: 'active' } : { kind: 'none' };
    case 'delete_site':
      return succeeded ? { kind: 'delete', siteId } : { kind: 'set-state', siteId, state: 'failed' };
    case 'delete_database':
      return succeeded ? { kind: 'delete-database', siteId } : { kind: 'none' };
    case 'restart_site':
    case 'create_database':
    case 'rotate_database_password':
      return { kind: 'none' };
  }
}

/**
 * What an operation's end does to the site's custom domains: an operation that routes the site's
 * hostnames makes them active when it succeeds, and leaves the pending ones in error with the
 * reason when it fails. Domains added after the operation wait for their own.
 */
export function domainEffectOf(
  operation: Pick<OperationWithSteps, 'kind' | 'siteId' | 'createdAt'>,
  outcome: 'succeeded' | 'failed',
  message = '',
): DomainEffect {
  switch (operation.kind) {
    case 'create_site':
    case 'update_site':
    case 'repair_site': {
      const target = { siteId: operation.siteId, upTo: operation.createdAt };
      return outcome === 'succeeded' ? { kind: 'activate', ...target } : { kind: 'fail', ...target, message };
    }
    case 'delete_site':
    case 'restart_site':
    case 'create_database':
    case 'rotate_database_password':
    case 'delete_database':
      return { kind: 'none' };
  }
}
