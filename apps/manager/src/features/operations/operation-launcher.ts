import { Injectable, Logger } from '@nestjs/common';
import { OperationQueue } from '../../infrastructure/queue/operation-queue';

/** Queues operations that were just written to PostgreSQL. */
@Injectable()
export class OperationLauncher {
  private readonly logger = new Logger(OperationLauncher.name);

  constructor(private readonly queue: OperationQueue) {}

  /** Queues an operation; if Redis is down the operation is safe in PostgreSQL and the sweeper queues it later. */
  async launch(operationId: number): Promise<void> {
    try {
      await this.queue.enqueue(operationId);
    } catch (error) {
      this.logger.warn(
        `operation ${operationId} saved but not queued yet (${error instanceof Error ? error.message : String(error)}); the sweeper will queue it`,
      );
    }
  }
}
