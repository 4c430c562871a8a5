import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import { AuditRepository, type AuditEventQuery, type AuditEventRecord } from './audit.repository';

/** Who acted (null for the system or an unknown user). */
export interface AuditActor {
  id: number | null;
  username: string;
  ip?: string | null;
}

/** One thing that happened. */
export interface AuditEntry {
  actor: AuditActor;
  /** A dotted verb, e.g. `site.create`, `auth.login.failed`, `shell.session`. */
  action: string;
  site?: { id: number; name: string } | null;
  /** What else matters; never secrets. */
  details?: Record<string, unknown>;
}

/** A filter over the audit log; `visibleTo` is a member's view (their sites' events and their own account's), undefined = all (admins). */
export type AuditQuery = AuditEventQuery;

/**
 * The audit log: who did what to which site, and when. Writing never fails the action it records
 * (a lost entry is logged instead).
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  private readonly events: AuditRepository;

  // Built by Nest and by the CLI with the connection pool; the queries live in AuditRepository.
  constructor(prisma: PrismaService) {
    this.events = new AuditRepository(prisma);
  }

  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.events.insert({
        actorId: entry.actor.id,
        actorName: entry.actor.username.slice(0, 64),
        action: entry.action,
        siteId: entry.site?.id ?? null,
        siteName: entry.site?.name ?? null,
        ip: entry.actor.ip?.slice(0, 64) ?? null,
        details: entry.details ?? {},
      });
    } catch (error) {
      this.logger.error(
        `could not record ${entry.action} by ${entry.actor.username}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Newest first, `limit` at most, after `cursor` (an id). */
  list(query: AuditQuery): Promise<AuditEventRecord[]> {
    return this.events.list(query);
  }
}
