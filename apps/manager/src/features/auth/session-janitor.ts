import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import { PeriodicJobs } from '../../infrastructure/queue/periodic-jobs';
import { SessionRepository } from './session.repository';

/**
 * Expired sessions are useless: they are deleted once per interval (hourly by default) for the
 * whole cluster (worker processes; the delete is idempotent), so the table holds only live ones.
 */
@Injectable()
export class SessionJanitor implements OnApplicationBootstrap {
  private readonly logger = new Logger(SessionJanitor.name);

  constructor(
    private readonly periodic: PeriodicJobs,
    private readonly sessions: SessionRepository,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.schedule('session-cleanup', this.config.sessionCleanupIntervalMs, () => this.clean());
  }

  async clean(): Promise<void> {
    try {
      await this.sessions.deleteExpired();
    } catch (error) {
      this.logger.warn(`could not delete expired sessions: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
