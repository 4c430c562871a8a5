import { Injectable } from '@nestjs/common';
import { DaisError, type SiteMemberView, type addMemberRequestSchema } from '@dais/shared';
import type { z } from 'zod';
import { AuditService } from '../audit/audit.service';
import { AccessRevocation } from '../auth/access-revocation';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { UserRepository } from '../auth/user.repository';
import type { UserRecord } from '../users/user';
import { assertNotDeleting, changeableSite, visibleSite } from '../sites/site-access';
import { SiteRepository } from '../sites/site.repository';
import { MemberRepository } from './member.repository';
import { toMemberView } from './member-view';

/** The one answer when nobody can be added by what was given: it never tells which usernames or addresses exist. */
const NO_SUCH_PERSON =
  'No account can be added by that. Ask the person for the e-mail address of their Dais account (it is on their account page) and add them by it; only admins add people by username.';

/**
 * Who may see and change a site. Members (and admins) add other users and remove members,
 * themselves included, but a site always keeps at least one member. Members name the person to
 * add by the exact e-mail address of their account: usernames are not revealed to non-admins.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly members: MemberRepository,
    private readonly users: UserRepository,
    private readonly access: AccessRevocation,
    private readonly audit: AuditService,
  ) {}

  /** The members of a site the user may see. */
  async list(user: AuthenticatedUser, siteId: number): Promise<SiteMemberView[]> {
    await visibleSite(this.sites, user, siteId);
    return (await this.members.list(siteId)).map(toMemberView);
  }

  /** Adds an existing user to the site, named by e-mail address (or, by admins, by username). */
  async add(user: AuthenticatedUser, siteId: number, request: z.output<typeof addMemberRequestSchema>): Promise<SiteMemberView> {
    const site = await changeableSite(this.sites, user, siteId);
    assertNotDeleting(site);
    const added = await this.find(user, request);
    if (!added) throw this.nobody(user, request);
    const member = await this.members.add(siteId, added.id);
    if (!member) throw new DaisError('MEMBER_EXISTS', `${added.username} is already a member of ${site.name}.`);
    await this.audit.record({ actor: user, action: 'member.add', site, details: { userId: added.id, username: added.username } });
    return toMemberView(member);
  }

  /** Removes a member (never the last one); their live updates, streams and shell sessions of the site end at once. */
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
    const removed = await this.users.findById(userId);
    await this.access.endMembership(siteId, userId, removed?.role === 'admin');
  }

  /** Admins see every account anyway, so they are told plainly; others get the same answer whatever they tried. */
  private nobody(user: AuthenticatedUser, request: z.output<typeof addMemberRequestSchema>): DaisError {
    const field = request.email !== undefined ? 'email' : 'username';
    if (user.role === 'admin') {
      return new DaisError(
        'USER_NOT_FOUND',
        `There is no account with the ${field === 'email' ? 'e-mail address' : 'username'} ${request.email ?? request.username ?? ''}.`,
        {
          issues: [{ path: field, rule: 'exists', message: 'no such account' }],
        },
      );
    }
    return new DaisError('USER_NOT_FOUND', NO_SUCH_PERSON, { issues: [{ path: 'email', rule: 'exists', message: 'no account to add' }] });
  }

  /**
   * The account named by the request. A non-admin naming someone by username finds nobody, exactly
   * as an unknown e-mail address does (and after the same database round trip), so the answer never
   * tells them whether that username exists.
   */
  private async find(user: AuthenticatedUser, request: z.output<typeof addMemberRequestSchema>): Promise<UserRecord | null> {
    if (request.email !== undefined) return this.users.findByEmail(request.email);
    const found = await this.users.findByUsername(request.username ?? '');
    return user.role === 'admin' ? found : null;
  }
}
