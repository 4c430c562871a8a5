import { Controller, Get, Query } from '@nestjs/common';
import { pageQuerySchema, parseInput, pathIdSchema } from '@dais/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { SiteRepository } from '../sites/site.repository';
import { AuditService } from './audit.service';

const auditQuerySchema = pageQuerySchema.extend({ siteId: pathIdSchema.optional() });

/** `/api/audit`: admins see everything; others see what happened to their sites and their own account. */
@Controller('api/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly sites: SiteRepository,
  ) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: unknown) {
    const filter = parseInput(auditQuerySchema, query, 'query');
    const visibleTo = user.role === 'admin' ? undefined : { siteIds: await this.sites.memberSiteIds(user.id), userId: user.id };
    const events = await this.audit.list({
      visibleTo,
      limit: filter.limit,
      ...(filter.siteId === undefined ? {} : { siteId: filter.siteId }),
      ...(filter.cursor === undefined ? {} : { cursor: filter.cursor }),
    });
    return {
      events: events.map((event) => ({
        id: event.id,
        at: event.at.toISOString(),
        actor: event.actorName,
        action: event.action,
        siteId: event.siteId,
        siteName: event.siteName,
        ip: event.ip,
        details: event.details as Record<string, unknown>,
      })),
      nextCursor: events.length === filter.limit ? (events.at(-1)?.id ?? null) : null,
    };
  }
}
