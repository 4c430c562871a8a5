import { Module } from '@nestjs/common';
import { ScheduledBackups } from './backup/scheduled-backups';
import { CertificateSync } from './domains/certificate-sync';
import { DomainCheckSweep } from './domains/domain-check.sweep';
import { DomainProofModule } from './domains/domain-proof.module';
import { SiteEventsPublisher } from './events/site-events.publisher';
import { OPERATION_EVENTS, OPERATION_STORE, OperationRunner, STEP_EXECUTOR } from './operations/operation-runner';
import { OperationRepository } from './operations/operation.repository';
import { OperationSweeper } from './operations/operation-sweeper';
import { OperationWorker } from './operations/operation-worker';
import { SiteStepExecutor } from './operations/site-step.executor';
import { PeriodicJobs } from './queue/periodic-jobs';

/** The operation worker, its sweeper, the certificate-state sync, the domain checks and scheduled backups (the `worker` role). */
@Module({
  imports: [DomainProofModule],
  providers: [
    PeriodicJobs,
    DomainCheckSweep,
    SiteStepExecutor,
    OperationRunner,
    OperationWorker,
    OperationSweeper,
    SiteEventsPublisher,
    CertificateSync,
    ScheduledBackups,
    { provide: OPERATION_STORE, useExisting: OperationRepository },
    { provide: STEP_EXECUTOR, useExisting: SiteStepExecutor },
    { provide: OPERATION_EVENTS, useExisting: SiteEventsPublisher },
  ],
})
export class WorkerModule {}
