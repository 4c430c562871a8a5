import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SessionRepository } from './session.repository';

/** Expired sessions are useless; forget them hourly so the table holds only live ones. */
const INTERVAL_MS = 60 * 60_000;

/** Deletes expired sessions at start and then every hour (any API process may; the delete is idempotent). */
@Injectable()
export class SessionJanitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SessionJanitor.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sessions: SessionRepository) {}

  onApplicationBootstrap(): void {
    void this.clean();
    this.timer = setInterval(() => void this.clean(), INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async clean(): Promise<void> {
    try {
      await this.sessions.deleteExpired();
    } catch (error) {
      this.logger.warn(`could not delete expired sessions: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
