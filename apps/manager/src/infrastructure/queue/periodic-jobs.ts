import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { closeWorkerGracefully } from './close-worker';

const QUEUE_NAME = 'periodic';
/** How long to wait before asking Redis again for a schedule it could not take. */
const RETRY_MS = 5_000;
/** A tick may take a while (DNS lookups): its lock outlives the slowest one. */
const LOCK_MS = 120_000;

/**
 * Periodic work that runs once per tick for the whole cluster, however many worker processes
 * there are: each process upserts the same BullMQ job scheduler (one entry in Redis, the same id),
 * which adds one job per interval, and exactly one worker takes each job. This is the other
 * BullMQ adapter beside `OperationQueue`; nothing else imports bullmq.
 */
@Injectable()
export class PeriodicJobs implements OnModuleDestroy {
  private readonly logger = new Logger(PeriodicJobs.name);
  private readonly handlers = new Map<string, () => Promise<unknown>>();
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {}

  /** Runs `run` every `everyMs` somewhere in the cluster (here too, when this process takes the job). */
  schedule(name: string, everyMs: number, run: () => Promise<unknown>): void {
    this.handlers.set(name, run);
    this.startWorker();
    void this.upsert(name, everyMs);
  }

  private async upsert(name: string, everyMs: number): Promise<void> {
    try {
      await this.queueOf().upsertJobScheduler(name, { every: everyMs }, { name, opts: { removeOnComplete: true, removeOnFail: true } });
    } catch (error) {
      this.logger.warn(`could not schedule ${name} (${error instanceof Error ? error.message : String(error)}); trying again`);
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.upsert(name, everyMs);
      }, RETRY_MS);
      this.retries.add(timer);
    }
  }

  private queueOf(): Queue {
    if (!this.queue) {
      this.queue = new Queue(QUEUE_NAME, { connection: { url: this.config.redisUrl }, prefix: this.config.queue.prefix });
      this.queue.on('error', (error) => this.logger.error(`periodic queue connection: ${error.message}`));
    }
    return this.queue;
  }

  private startWorker(): void {
    if (this.worker) return;
    this.worker = new Worker(
      QUEUE_NAME,
      async (job: Job) => {
        // A job another process scheduled for work this version does not know: nothing to do here.
        await this.handlers.get(job.name)?.();
      },
      { connection: { url: this.config.redisUrl }, prefix: this.config.queue.prefix, concurrency: 1, lockDuration: LOCK_MS },
    );
    this.worker.on('error', (error) => this.logger.error(`periodic worker connection: ${error.message}`));
    this.worker.on('failed', (job, error) => this.logger.error(`periodic job ${job?.name ?? '?'} failed: ${error.message}`));
  }

  /** Lets the tick under way finish (within a grace period); its work otherwise waits for the next tick. */
  async onModuleDestroy(): Promise<void> {
    for (const timer of this.retries) clearTimeout(timer);
    if (this.worker) await closeWorkerGracefully(this.worker);
    await this.queue?.close();
  }
}
