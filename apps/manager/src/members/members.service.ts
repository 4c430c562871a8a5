import { Injectable, Logger } from '@nestjs/common';
import { DaisError, type SiteMemberView } from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { UserRepository } from '../auth/user.repository';
import { EventBus } from '../events/event-bus';
import { assertNotDeleting, changeableSite, visibleSite } from '../sites/site-access';
import { SiteRepository } from '../sites/site.repository';
import { MemberRepository } from './member.repository';
import { toMemberView } from './member-view';

/**
 * Who may see and change a site. Members (and admins) add other users and remove members,
 * themselves included, but a site always keeps at least one member.
 */
@Injectable()
export class MembersService {
  private readonly logger = new Logger(MembersService.name);

  constructor(
    private readonly sites: SiteRepository,
    private readonly members: MemberRepository,
    private readonly users: UserRepository,
    private readonly bus: EventBus,
    private readonly audit: AuditService,
  ) {}

  /** The members of a site the user may see. */
  async list(user: AuthenticatedUser, siteId: number): Promise<SiteMemberView[]> {
    await visibleSite(this.sites, user, siteId);
    return (await this.members.list(siteId)).map(toMemberView);
  }

  /** Adds an existing user to the site. */
  async add(user: AuthenticatedUser, siteId: number, username: string): Promise<SiteMemberView> {
    const site = await changeableSite(this.sites, user, siteId);
    assertNotDeleting(site);
    const added = await this.users.findByUsername(username);
    if (!added) throw new DaisError('USER_NOT_FOUND', `There is no user "${username}"; an admin creates accounts.`);
    const member = await this.members.add(siteId, added.id);
    if (!member) throw new DaisError('MEMBER_EXISTS', `${username} is already a member of ${site.name}.`);
    await this.audit.record({ actor: user, action: 'member.add', site, details: { userId: added.id, username } });
    return toMemberView(member);
  }

  /** Removes a member (never the last one); their live updates for the site stop at once. */
  async remove(user: AuthenticatedUser, siteId: number, userId: number): Promise<void> {
    const site = await changeableSite(this.sites, user, siteId);
    const outcome = await this.members.remove(siteId, userId);
    if (outcome === 'not-member') throw new DaisError('MEMBER_NOT_FOUND', `User ${userId} is not a member of ${site.name}.`);
    if (outcome === 'last-member') {
      throw new DaisError(
        'LAST_MEMBER',
        `User ${userId} is the last member of ${site.name}; a site must keep at least one member. Add another member first, or delete the site.`,
      );
    }
    await this.audit.record({ actor: user, action: 'member.remove', site, details: { userId, self: userId === user.id } });
    // Live updates travel over the same Redis: if it is down, none reach the removed member either.
    await this.bus.memberRemoved(siteId, userId).catch((error: unknown) => {
      this.logger.warn(
        `could not announce that user ${userId} left site ${siteId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
}
