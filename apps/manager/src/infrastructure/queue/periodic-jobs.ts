import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { RedisConnections } from '../redis/redis.connections';
import { closeWorkerGracefully } from './close-worker';

const QUEUE_NAME = 'periodic';
/** How long to wait before asking Redis again for a schedule it could not take. */
const RETRY_MS = 5_000;
/** A tick may take a while (DNS lookups): its lock outlives the slowest one. */
const LOCK_MS = 120_000;
/**
 * What a tick hands the next one is forgotten after this many intervals: an older value was left
 * by a tick before the previous one (no worker ran for a while) and says nothing about the last one.
 */
const CARRY_INTERVALS = 2;

/**
 * Periodic work that runs once per tick for the whole cluster, however many worker processes
 * there are: each process upserts the same BullMQ job scheduler (one entry in Redis, the same id),
 * which adds one job per interval, and exactly one worker takes each job. The first tick comes at
 * once when the scheduler is new (a fresh or emptied Redis), and a tick that fell due while no
 * worker ran is taken as soon as one starts, so recovery work needs no run of its own at start.
 * This is the other BullMQ adapter beside `OperationQueue`; nothing else imports bullmq.
 */
@Injectable()
export class PeriodicJobs implements OnModuleDestroy {
  private readonly logger = new Logger(PeriodicJobs.name);
  private readonly handlers = new Map<string, () => Promise<unknown>>();
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
    private readonly redis: RedisConnections,
  ) {}

  /** Runs `run` every `everyMs` somewhere in the cluster (here too, when this process takes the job). */
  schedule(name: string, everyMs: number, run: () => Promise<unknown>): void {
    this.handlers.set(name, run);
    this.startWorker();
    void this.upsert(name, everyMs);
  }

  /**
   * Like `schedule`, and each tick gets what the cluster's previous tick of `name` returned,
   * whichever process ran it (null at the first tick, or when that value is older than two
   * intervals). For work that must see a thing twice in a row before acting on it. The value is
   * kept in Redis as JSON.
   */
  scheduleCarrying<T>(name: string, everyMs: number, run: (previous: T | null) => Promise<T>): void {
    const key = this.redis.key('periodic-carry', name);
    this.schedule(name, everyMs, async () => {
      const stored = await this.redis.client.get(key);
      const next = await run(stored === null ? null : (JSON.parse(stored) as T));
      await this.redis.client.set(key, JSON.stringify(next), 'PX', CARRY_INTERVALS * everyMs);
    });
  }

  private async upsert(name: string, everyMs: number): Promise<void> {
    try {
      // The job scheduler's id is the job's name: every process names the same one, so there is one.
      await this.queueOf().upsertJobScheduler(name, { every: everyMs }, { name, opts: { removeOnComplete: true, removeOnFail: true } });
      this.logger.debug(`scheduled ${name} every ${everyMs} ms`);
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
    if (this.worker) {
      // One lane per kind of job, so a slow tick (DNS lookups, a router that does not answer)
      // never holds up another job's tick in this process.
      this.worker.concurrency = this.handlers.size;
      return;
    }
    this.worker = new Worker(QUEUE_NAME, (job: Job) => this.runTick(job), {
      connection: { url: this.config.redisUrl },
      prefix: this.config.queue.prefix,
      concurrency: this.handlers.size,
      lockDuration: LOCK_MS,
    });
    this.worker.on('error', (error) => this.logger.error(`periodic worker connection: ${error.message}`));
    this.worker.on('failed', (job, error) => this.logger.error(`periodic job ${job?.name ?? '?'} failed: ${error.message}`));
  }

  private async runTick(job: Job): Promise<void> {
    const run = this.handlers.get(job.name);
    // A job another process scheduled for work this version does not know: nothing to do here.
    if (!run) return;
    const started = Date.now();
    await run();
    // The job's id names its tick (`repeat:<name>:<due time>`): tests count ticks by it.
    this.logger.debug(`periodic job ${job.name} tick ${job.id ?? '?'} ran in ${Date.now() - started} ms`);
  }

  /** Lets the tick under way finish (within a grace period); its work otherwise waits for the next tick. */
  async onModuleDestroy(): Promise<void> {
    for (const timer of this.retries) clearTimeout(timer);
    if (this.worker) await closeWorkerGracefully(this.worker);
    await this.queue?.close();
  }
}
