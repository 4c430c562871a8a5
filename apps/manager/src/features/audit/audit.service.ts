import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../../infrastructure/prisma/prisma.service';
import type { Prisma } from '../../generated/prisma/client';

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

/** A filter over the audit log. */
export interface AuditQuery {
  /** A member's view: events of these sites, and their own account's events; undefined = all (admins). */
  visibleTo?: { siteIds: number[]; userId: number } | undefined;
  siteId?: number;
  limit: number;
  cursor?: number;
}

/**
 * The audit log: who did what to which site, and when. Writing never fails the action it records
 * (a lost entry is logged instead).
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly prisma: PrismaService) {}

  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.prisma.auditEvent.create({
        data: {
          actorId: entry.actor.id,
          actorName: entry.actor.username.slice(0, 64),
          action: entry.action,
          siteId: entry.site?.id ?? null,
          siteName: entry.site?.name ?? null,
          ip: entry.actor.ip?.slice(0, 64) ?? null,
          details: (entry.details ?? {}) as Prisma.InputJsonValue,
        },
      });
    } catch (error) {
      this.logger.error(
        `could not record ${entry.action} by ${entry.actor.username}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Newest first, `limit` at most, after `cursor` (an id). */
  list(query: AuditQuery) {
    const where: Prisma.AuditEventWhereInput = {
      AND: [
        query.visibleTo ? { OR: [{ siteId: { in: query.visibleTo.siteIds } }, { siteId: null, actorId: query.visibleTo.userId }] } : {},
        query.siteId === undefined ? {} : { siteId: query.siteId },
        query.cursor === undefined ? {} : { id: { lt: query.cursor } },
      ],
    };
    return this.prisma.auditEvent.findMany({ where, orderBy: { id: 'desc' }, take: query.limit });
  }
}
