import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { OperationQueue } from '../../infrastructure/queue/operation-queue';
import { PeriodicJobs } from '../../infrastructure/queue/periodic-jobs';
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
 * so its owner can retry it. Once per interval for the whole cluster (worker processes), the first
 * tick at once when the schedule is new (see `PeriodicJobs`).
 */
@Injectable()
export class OperationSweeper implements OnApplicationBootstrap {
  private readonly logger = new Logger(OperationSweeper.name);
  private sweeping = false;

  constructor(
    private readonly periodic: PeriodicJobs,
    private readonly operations: OperationRepository,
    private readonly queue: OperationQueue,
    @Inject(OPERATION_EVENTS) private readonly events: OperationEvents,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  onApplicationBootstrap(): void {
    // The previous tick's suspects travel with the schedule: the next tick may run in another process.
    this.periodic.scheduleCarrying<number[]>('operation-sweep', this.config.queue.sweepIntervalMs, (suspects) =>
      this.sweep(suspects ?? []),
    );
  }

  /**
   * One tick: fails overdue operations that were already `suspects` (overdue at the previous
   * tick), then re-queues unfinished operations without a job; returns this tick's suspects.
   */
  async sweep(suspects: readonly number[]): Promise<number[]> {
    // Without a finished look at the overdue operations suspicion starts over, which only delays a failure by a tick.
    if (this.sweeping) return [];
    this.sweeping = true;
    let overdue: number[] = [];
    let requeued = 0;
    try {
      overdue = await this.failOverdue(new Set(suspects));
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
    return overdue;
  }

  /**
   * Marks operations stuck past the deadline as failed, removes their job and announces it. An
   * operation must look overdue at two sweeps in a row: a retry resuming an old operation looks
   * overdue for the instant between taking it up and starting its step. Returns the operations
   * that look overdue now and were not failed: the suspects of the next sweep.
   */
  private async failOverdue(suspects: ReadonlySet<number>): Promise<number[]> {
    const deadline = this.config.operationDeadlineMs;
    const overdue = await this.operations.listOverdue(new Date(Date.now() - deadline), 100);
    const confirmed = overdue.filter((operation) => suspects.has(operation.id));
    const next = overdue.filter((operation) => !suspects.has(operation.id)).map((operation) => operation.id);
    for (const operation of confirmed) {
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
    return next;
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
