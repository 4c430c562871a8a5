import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { OperationQueue } from '../../infrastructure/queue/operation-queue';
import { domainEffectOf, effectOf, OPERATION_EVENTS, type OperationEvents } from './operation-runner';
import { OperationRepository } from './operation.repository';
import { toOperationView, type OperationWithSteps } from './operation-view';

/** Operations younger than this are left alone: their job is probably being added right now. */
const GRACE_MS = 5_000;

/** "5 seconds", "1 minute", "90 minutes": how the deadline reads in a message. */
export function describeDeadline(ms: number): string {
  const [amount, unit] = ms % 60_000 === 0 ? [ms / 60_000, 'minute'] : [Math.round(ms / 1_000), 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/**
 * PostgreSQL is the source of truth: an unfinished operation whose job is missing from Redis
 * (Redis restarted empty, a crash between commit and enqueue) is queued again, and one that has
 * been running past the deadline without progress (a hung call, a frozen worker) is marked failed
 * so its owner can retry it. Runs at start and then on an interval, in worker processes.
 */
@Injectable()
export class OperationSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OperationSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;
  /** Operations that looked overdue at the previous sweep. */
  private suspects = new Set<number>();

  constructor(
    private readonly operations: OperationRepository,
    private readonly queue: OperationQueue,
    @Inject(OPERATION_EVENTS) private readonly events: OperationEvents,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.queue.sweepIntervalMs);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Fails overdue operations, then re-queues unfinished operations without a job; returns how many were re-queued. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let requeued = 0;
    try {
      await this.failOverdue();
      for (const id of await this.operations.listUnfinishedBefore(new Date(Date.now() - GRACE_MS), 500)) {
        if (await this.queue.hasJob(id)) continue;
        await this.queue.enqueue(id);
        requeued++;
      }
      if (requeued > 0) this.logger.warn(`re-queued ${requeued} operation(s) whose job had disappeared`);
    } catch (error) {
      this.logger.error(`sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.sweeping = false;
    }
    return requeued;
  }

  /**
   * Marks operations stuck past the deadline as failed, removes their job and announces it. An
   * operation must look overdue at two sweeps in a row: a retry resuming an old operation looks
   * overdue for the instant between taking it up and starting its step.
   */
  private async failOverdue(): Promise<void> {
    const deadline = this.config.operationDeadlineMs;
    const overdue = await this.operations.listOverdue(new Date(Date.now() - deadline), 100);
    const confirmed = overdue.filter((operation) => this.suspects.has(operation.id));
    this.suspects = new Set(overdue.map((operation) => operation.id));
    for (const operation of confirmed) {
      this.suspects.delete(operation.id);
      const within = describeDeadline(deadline);
      const stepMessage = `Did not finish within ${within}; retry the operation.`;
      const ended = await this.operations.finish({
        id: operation.id,
        state: 'failed',
        error: `The operation did not finish within ${within}; retry it (it resumes from the step that did not finish).`,
        now: new Date(),
        siteEffect: effectOf(operation.kind, 'failed', operation.siteId),
        domainEffect: domainEffectOf(operation, 'failed', stepMessage),
        unfinishedStepsMessage: stepMessage,
      });
      if (!ended) continue;
      this.logger.warn(`operation ${operation.id} (${operation.kind} of ${operation.siteName}) ran past its deadline; marked failed`);
      // A job still held by a hung worker cannot be removed; that worker stops at its next step (the runner checks).
      await this.queue.removeJob(operation.id);
      await this.announce(operation);
    }
  }

  private async announce(operation: OperationWithSteps): Promise<void> {
    try {
      const view = await this.operations.find(operation.id);
      if (view) await this.events.operationChanged(operation.siteId, toOperationView(view));
      await this.events.operationEnded(operation.siteId, operation.id);
    } catch (error) {
      this.logger.warn(`could not announce operation ${operation.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
