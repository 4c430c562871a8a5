import { Module } from '@nestjs/common';
import { CertificateSync } from './domains/certificate-sync';
import { SiteEventsPublisher } from './events/site-events.publisher';
import { OPERATION_EVENTS, OPERATION_STORE, OperationRunner, STEP_EXECUTOR } from './operations/operation-runner';
import { OperationRepository } from './operations/operation.repository';
import { OperationSweeper } from './operations/operation-sweeper';
import { OperationWorker } from './operations/operation-worker';
import { SiteStepExecutor } from './operations/site-step.executor';

/** The operation worker, its sweeper and the certificate-state sync (the `worker` role). */
@Module({
  providers: [
    SiteStepExecutor,
    OperationRunner,
    OperationWorker,
    OperationSweeper,
    SiteEventsPublisher,
    CertificateSync,
    { provide: OPERATION_STORE, useExisting: OperationRepository },
    { provide: STEP_EXECUTOR, useExisting: SiteStepExecutor },
    { provide: OPERATION_EVENTS, useExisting: SiteEventsPublisher },
  ],
})
export class WorkerModule {}
