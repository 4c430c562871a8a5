import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';
import { OperationQueue } from '../queue/operation-queue';
import { OperationRepository } from './operation.repository';

/** Operations younger than this are left alone: their job is probably being added right now. */
const GRACE_MS = 5_000;

/**
 * PostgreSQL is the source of truth: an unfinished operation whose job is missing from Redis
 * (Redis restarted empty, a crash between commit and enqueue) is queued again. Runs at start and
 * then on an interval, in worker processes.
 */
@Injectable()
export class OperationSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OperationSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly operations: OperationRepository,
    private readonly queue: OperationQueue,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.queue.sweepIntervalMs);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Re-queues unfinished operations without a job; returns how many were re-queued. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    let requeued = 0;
    try {
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
}
