import { Module } from '@nestjs/common';
import { SessionJanitor } from './features/auth/session-janitor';
import { ScheduledBackups } from './features/backup/scheduled-backups';
import { CertificateSync } from './features/domains/certificate-sync';
import { DomainCheckSweep } from './features/domains/domain-check.sweep';
import { DomainProofModule } from './features/domains/domain-proof.module';
import { FleetHealthJob } from './features/fleet/fleet-health.job';
import { FleetModule } from './features/fleet/fleet.module';
import { SiteEventsPublisher } from './features/site-events/site-events.publisher';
import { OPERATION_EVENTS, OPERATION_STORE, OperationRunner, STEP_EXECUTOR } from './features/operations/operation-runner';
import { OperationRepository } from './features/operations/operation.repository';
import { OperationSweeper } from './features/operations/operation-sweeper';
import { OperationWorker } from './features/operations/operation-worker';
import { SiteStepExecutor } from './features/operations/site-step.executor';
import { PeriodicJobs } from './infrastructure/queue/periodic-jobs';

/**
 * The operation worker and the cluster's periodic jobs (the `worker` role): the operation sweeper,
 * the certificate-state sync, the domain checks, scheduled backups and the session cleanup.
 */
@Module({
  imports: [DomainProofModule, FleetModule],
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
    SessionJanitor,
    FleetHealthJob,
    { provide: OPERATION_STORE, useExisting: OperationRepository },
    { provide: STEP_EXECUTOR, useExisting: SiteStepExecutor },
    { provide: OPERATION_EVENTS, useExisting: SiteEventsPublisher },
  ],
})
export class WorkerModule {}
