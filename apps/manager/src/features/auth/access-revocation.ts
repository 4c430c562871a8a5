import { Injectable, Logger } from '@nestjs/common';
import type { EndSessionsRequest, SessionEndReason } from '@dais/shared';
import { Clock } from '../../infrastructure/clock';
import { OrchestratorClient } from '../../infrastructure/peers/peer-clients';
import { EventBus } from '../../infrastructure/realtime/event-bus';
import { SessionRepository } from './session.repository';
import { UserRepository } from './user.repository';

/** How a person's access to their account ends. */
export interface AccountRevocation {
  reason: Extract<SessionEndReason, 'account-disabled' | 'credentials-changed'>;
  /** The session the person acts from, kept when they change their own password. */
  keepSessionId?: number;
  /** Also revoke every API token (a password change or reset; a disabled account's tokens only pause). */
  revokeTokens: boolean;
}

/**
 * Ends what a person may no longer use, everywhere and at once: browser sessions and API tokens
 * (in PostgreSQL), their live browser connections and streams (every API process hears the event
 * bus and rechecks its sockets), and their SSH and SFTP sessions, which run shell → orchestrator
 * where the manager cannot reach them: the orchestrator is asked to close them and to refuse the
 * shell tokens issued before now.
 */
@Injectable()
export class AccessRevocation {
  private readonly logger = new Logger(AccessRevocation.name);

  constructor(
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    private readonly bus: EventBus,
    private readonly orchestrator: OrchestratorClient,
    private readonly clock: Clock,
  ) {}

  /** The account was disabled, or its password changed or was reset. */
  async endAccount(userId: number, revocation: AccountRevocation): Promise<void> {
    const at = this.clock.now();
    await this.sessions.deleteForUser(userId, revocation.keepSessionId);
    if (revocation.revokeTokens) await this.users.revokeAllTokens(userId);
    await this.announce(`user ${userId}'s sockets`, () => this.bus.userChanged(userId));
    // The session kept is the person's own browser: their SSH sessions are other sessions.
    await this.endShellSessions({ userIds: [userId], reason: revocation.reason, at });
  }

  /** A member left a site (or was removed): their live streams and shell sessions of it end. */
  async endMembership(siteId: number, userId: number, stillAllowed: boolean): Promise<void> {
    const at = this.clock.now();
    await this.announce(`user ${userId} left site ${siteId}`, () => this.bus.memberRemoved(siteId, userId));
    // An admin keeps seeing every site, so their sessions stay.
    if (!stillAllowed) await this.endShellSessions({ siteId, userIds: [userId], reason: 'member-removed', at });
  }

  /** An admin locked a site: its owners' live streams and shell sessions of it end (admins keep theirs). */
  async endSiteForOwners(siteId: number, ownerIds: readonly number[]): Promise<void> {
    const at = this.clock.now();
    await this.announce(`site ${siteId} was locked`, () => this.bus.siteLocked(siteId));
    if (ownerIds.length > 0) await this.endShellSessions({ siteId, userIds: [...ownerIds], reason: 'site-locked', at });
  }

  /**
   * The change is already saved and every later sign-in and token check sees it; a live session
   * the orchestrator could not be told about still ends at its idle timeout or maximum lifetime,
   * so a failure here is logged for the admin rather than undoing the change.
   */
  private async endShellSessions(request: EndSessionsRequest): Promise<void> {
    try {
      const { ended } = await this.orchestrator.endSessions(request);
      if (ended > 0) this.logger.log(`ended ${ended} shell session(s): ${request.reason}`);
    } catch (error) {
      this.logger.error(`could not end shell sessions (${request.reason}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Live updates travel over the same Redis: if it is down, none reach the person either. */
  private async announce(what: string, publish: () => Promise<void>): Promise<void> {
    await publish().catch((error: unknown) => {
      this.logger.warn(`could not announce that ${what}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
