import { Inject, Injectable } from '@nestjs/common';
import { DaisError, type UserView } from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../../infrastructure/clock';
import { EventBus } from '../../infrastructure/realtime/event-bus';
import { MANAGER_CONFIG, type ManagerConfig } from '../../config/manager.config';
import type { UserRecord } from '../users/user';
import { toUserView } from '../users/user-view';
import { emailTaken } from '../users/users.service';
import { AccessRevocation } from './access-revocation';
import { generateApiToken, looksLikeApiToken } from './api-token';
import type { AuthenticatedUser } from './authenticated-user';
import { LoginRateLimiter } from './login-rate-limiter';
import { dashboardOrigins } from './request-origin';
import { hashPassword, verifyPassword } from './password';
import { SessionRepository, type NewSession } from './session.repository';
import { UserRepository } from './user.repository';

/** Where a sign-in comes from. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** Signing in and out, sessions, passwords and personal tokens. */
@Injectable()
export class AuthService {
  private origins: ReadonlySet<string> | undefined;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly limiter: LoginRateLimiter,
    private readonly access: AccessRevocation,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
    private readonly clock: Clock,
  ) {}

  /** Cookies are Secure when browsers reach the manager over HTTPS. */
  get secureCookies(): boolean {
    return this.config.publicUrl.startsWith('https:');
  }

  /** Where the dashboard is served from: browsers may sign in and change things only from there. */
  get dashboardOrigins(): ReadonlySet<string> {
    this.origins ??= dashboardOrigins(this.config);
    return this.origins;
  }

  /**
   * Checks a username and password (slowed per account and per address; unknown users take as
   * long as known ones) and opens a session. The same answer for every kind of failure.
   */
  async login(username: string, password: string, client: ClientInfo): Promise<{ user: UserRecord; session: NewSession }> {
    await this.limiter.admit(username, client.ip);
    const user = await this.users.findByUsername(username);
    const valid = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !valid || user.disabled) {
      await this.audit.record({
        actor: { id: user?.id ?? null, username: username.slice(0, 64), ip: client.ip },
        action: 'auth.login.failed',
      });
      throw new DaisError('INVALID_CREDENTIALS', 'Wrong username or password.');
    }
    await this.limiter.succeeded(username, client.ip);
    return { user, session: await this.openSession(user, client, 'password') };
  }

  /** Opens a session for a user who proved who they are (password or single sign-on). */
  async openSession(user: UserRecord, client: ClientInfo, method: 'password' | 'sso'): Promise<NewSession> {
    const session = await this.sessions.create(user.id, this.config.sessionTtlMs, client);
    await this.audit.record({ actor: { id: user.id, username: user.username, ip: client.ip }, action: 'auth.login', details: { method } });
    return session;
  }

  /** The user behind a session cookie, or null. */
  async userFromSession(token: string, ip: string | null): Promise<AuthenticatedUser | null> {
    const found = await this.sessions.findLive(token, this.config.sessionTtlMs);
    if (!found) return null;
    return {
      id: found.user.id,
      username: found.user.username,
      role: found.user.role,
      ip,
      session: { id: found.id, csrfToken: found.csrfToken, expiresAt: found.expiresAt, extended: found.extended },
    };
  }

  /** The user behind an API token, or null. */
  async userFromToken(token: string, ip: string | null): Promise<AuthenticatedUser | null> {
    const user = looksLikeApiToken(token) ? await this.users.findByToken(token, this.clock.date()) : null;
    return user ? { id: user.id, username: user.username, role: user.role, ip, session: null } : null;
  }

  async logout(actor: AuthenticatedUser, token: string | undefined): Promise<void> {
    if (token) await this.sessions.delete(token);
    await this.audit.record({ actor, action: 'auth.logout' });
    await this.events.userChanged(actor.id);
  }

  /** The signed-in user's account. */
  async me(actor: AuthenticatedUser): Promise<UserView> {
    const user = await this.users.findById(actor.id);
    if (!user) throw new DaisError('UNAUTHENTICATED', 'This account no longer exists.');
    return toUserView(user);
  }

  /** Sets or removes one's own e-mail address (how others add them to a site). */
  async updateAccount(actor: AuthenticatedUser, email: string | null): Promise<UserView> {
    const user = await this.users.updateUnique(actor.id, { email });
    if (!user) throw emailTaken(email ?? '');
    await this.audit.record({ actor, action: 'user.update', details: { userId: actor.id, fields: ['email'] } });
    return toUserView(user);
  }

  /**
   * Changes one's own password after checking the current one. With `endOtherSessions` every other
   * session is signed out, every API token revoked and every SSH session closed; this session stays.
   */
  async changePassword(
    actor: AuthenticatedUser,
    change: { currentPassword: string; newPassword: string; endOtherSessions: boolean },
  ): Promise<void> {
    const user = await this.users.findById(actor.id);
    if (user && !user.passwordHash) {
      throw new DaisError('NO_PASSWORD', 'This account signs in with single sign-on and has no password to change.');
    }
    await this.limiter.admit(actor.username, actor.ip);
    if (!user || !(await verifyPassword(user.passwordHash, change.currentPassword))) {
      throw new DaisError('INVALID_CREDENTIALS', 'The current password is not right.', {
        issues: [{ path: 'currentPassword', rule: 'matches', message: 'does not match' }],
      });
    }
    await this.limiter.succeeded(actor.username, actor.ip);
    if (change.newPassword.toLowerCase().includes(user.username)) {
      throw new DaisError('VALIDATION_FAILED', 'The new password must not contain your username.', {
        issues: [{ path: 'newPassword', rule: 'not-username', message: 'contains the username' }],
      });
    }
    await this.users.update(user.id, { passwordHash: await hashPassword(change.newPassword), passwordChangedAt: this.clock.date() });
    if (change.endOtherSessions) {
      await this.access.endAccount(user.id, { reason: 'credentials-changed', keepSessionId: actor.session?.id, revokeTokens: true });
    } else {
      await this.events.userChanged(user.id);
    }
    await this.audit.record({ actor, action: 'auth.password.change', details: { endOtherSessions: change.endOtherSessions } });
  }

  /** A new personal API token, returned once. */
  async createToken(actor: AuthenticatedUser, name: string): Promise<{ id: number; name: string; token: string; createdAt: string }> {
    const token = generateApiToken();
    const row = await this.users.addToken(actor.id, name, token);
    await this.audit.record({ actor, action: 'token.create', details: { tokenId: row.id, name } });
    return { id: row.id, name, token, createdAt: row.createdAt.toISOString() };
  }

  /** Revokes one of the actor's tokens. */
  async revokeToken(actor: AuthenticatedUser, tokenId: number): Promise<void> {
    if (!(await this.users.revokeToken(actor.id, tokenId))) throw new DaisError('NOT_FOUND', `You have no live token ${tokenId}.`);
    await this.audit.record({ actor, action: 'token.revoke', details: { tokenId } });
    await this.events.userChanged(actor.id);
  }
}
