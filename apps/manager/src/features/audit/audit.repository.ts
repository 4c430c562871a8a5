import type { PrismaService } from '../../infrastructure/prisma/prisma.service';
import type { Prisma } from '../../generated/prisma/client';

/** One audit event as it is stored. */
export interface AuditEventRecord {
  id: number;
  at: Date;
  actorId: number | null;
  actorName: string;
  action: string;
  siteId: number | null;
  siteName: string | null;
  ip: string | null;
  details: unknown;
}

/** What is written for one event (already trimmed to the columns' lengths). */
export type NewAuditEvent = Omit<AuditEventRecord, 'id' | 'at' | 'details'> & { details: Record<string, unknown> };

/** A page of events: newest first, `limit` at most, ids below `cursor`, optionally one site's or one member's view. */
export interface AuditEventQuery {
  visibleTo?: { siteIds: number[]; userId: number } | undefined;
  siteId?: number;
  limit: number;
  cursor?: number;
}

/** The audit log in PostgreSQL. */
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(event: NewAuditEvent): Promise<void> {
    await this.prisma.auditEvent.create({ data: { ...event, details: event.details as Prisma.InputJsonValue } });
  }

  list(query: AuditEventQuery): Promise<AuditEventRecord[]> {
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
