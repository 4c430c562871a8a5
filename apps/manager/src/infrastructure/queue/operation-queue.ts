import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { currentCorrelationId, withLogContext } from '@dais/shared';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { closeWorkerGracefully } from './close-worker';

/** The one job type: run operation N. */
interface OperationJobData {
  operationId: number;
  /** The id of the request that queued it, so its log lines and peer calls can be followed from there. */
  correlationId?: string;
}

/** What the worker asks the domain to do with a job, and what it may answer. */
export type OperationJobHandler = (operationId: number, attempt: { finalAttempt: boolean }) => Promise<'finished' | 'wait'>;

/** Errors a handler throws to end a job for good (no BullMQ retry). */
export type PermanentFailureTest = (error: unknown) => boolean;

/** The job states the queue reports counts for. */
export const QUEUE_JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** One of {@link QUEUE_JOB_STATES}. */
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

const QUEUE_NAME = 'operations';
/** How long an operation that must wait for an earlier one on its site sleeps before looking again. */
const WAIT_FOR_EARLIER_MS = 500;

/** Deterministic job id: enqueueing the same operation twice never runs it twice at once. */
export function jobIdOf(operationId: number): string {
  return `operation-${operationId}`;
}

/**
 * The BullMQ adapter: the only code that imports bullmq. Jobs carry just an operation id (and the
 * correlation id of the request that queued it, to run under); PostgreSQL holds everything else,
 * so a lost job is recreated by the sweeper, never lost work.
 */
@Injectable()
export class OperationQueue implements OnModuleDestroy {
  private readonly logger = new Logger(OperationQueue.name);
  private readonly queue: Queue<OperationJobData>;
  private worker: Worker<OperationJobData> | undefined;

  constructor(@Inject(MANAGER_CONFIG) private readonly config: ManagerConfig) {
    this.queue = new Queue<OperationJobData>(QUEUE_NAME, {
      connection: { url: config.redisUrl },
      prefix: config.queue.prefix,
      defaultJobOptions: {
        attempts: config.queue.attempts,
        backoff: { type: 'exponential', delay: config.queue.backoffMs },
        // History lives in PostgreSQL; a finished job only blocks re-adding the same id.
        removeOnComplete: true,
        removeOnFail: true,
      },
    });
    this.queue.on('error', (error) => this.logger.error(`queue connection: ${error.message}`));
  }

  /** Queues an operation to run. Adding an operation already queued or running is a no-op. */
  async enqueue(operationId: number): Promise<void> {
    const correlationId = currentCorrelationId();
    await this.queue.add('run-operation', { operationId, ...(correlationId ? { correlationId } : {}) }, { jobId: jobIdOf(operationId) });
  }

  /** Whether a job for the operation is in the queue (waiting, delayed or running). */
  async hasJob(operationId: number): Promise<boolean> {
    return (await this.queue.getJob(jobIdOf(operationId))) !== undefined;
  }

  /** How many jobs wait, run, wait for a retry and have failed for good (for metrics). */
  async jobCounts(): Promise<Record<QueueJobState, number>> {
    const counts = await this.queue.getJobCounts(...QUEUE_JOB_STATES);
    return Object.fromEntries(QUEUE_JOB_STATES.map((state) => [state, counts[state] ?? 0])) as Record<QueueJobState, number>;
  }

  /** Removes an operation's job; false if there was none or a worker holds it (a running job cannot be removed). */
  async removeJob(operationId: number): Promise<boolean> {
    return (await this.queue.remove(jobIdOf(operationId))) === 1;
  }

  /** Starts consuming jobs. Only worker processes call this. */
  startWorker(handle: OperationJobHandler, isPermanentFailure: PermanentFailureTest): void {
    const { lockMs, attempts } = this.config.queue;
    this.worker = new Worker<OperationJobData>(
      QUEUE_NAME,
      async (job: Job<OperationJobData>, token?: string) => {
        const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? attempts);
        let outcome: 'finished' | 'wait';
        // Queued without a request (the sweeper, a periodic job): the job's own id is the correlation id.
        const context = { correlationId: job.data.correlationId ?? jobIdOf(job.data.operationId), operationId: job.data.operationId };
        try {
          outcome = await withLogContext(context, () => handle(job.data.operationId, { finalAttempt }));
        } catch (error) {
          if (isPermanentFailure(error)) throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
          throw error;
        }
        if (outcome === 'wait') {
          await job.moveToDelayed(Date.now() + WAIT_FOR_EARLIER_MS, token);
          throw new DelayedError();
        }
      },
      {
        connection: { url: this.config.redisUrl },
        prefix: this.config.queue.prefix,
        concurrency: 4,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        // A worker killed mid-operation leaves a stalled job; let a few crashes pass before giving up.
        maxStalledCount: 5,
      },
    );
    this.worker.on('error', (error) => this.logger.error(`worker connection: ${error.message}`));
  }

  /** Stops taking new jobs, lets a running step finish (within a grace period), then closes connections. */
  async onModuleDestroy(): Promise<void> {
    if (this.worker) await closeWorkerGracefully(this.worker);
    await this.queue.close();
  }
}
