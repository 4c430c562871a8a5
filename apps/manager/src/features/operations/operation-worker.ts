import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { OperationQueue } from '../../infrastructure/queue/operation-queue';
import { OperationFailedError, OperationRunner } from './operation-runner';

/** Connects the queue to the runner in worker processes. */
@Injectable()
export class OperationWorker implements OnApplicationBootstrap {
  constructor(
    private readonly queue: OperationQueue,
    private readonly runner: OperationRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.startWorker(
      (operationId, attempt) => this.runner.run(operationId, attempt),
      (error) => error instanceof OperationFailedError,
    );
  }
}
