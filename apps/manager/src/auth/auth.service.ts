import { Inject, Injectable } from '@nestjs/common';
import { DaisError, type UserView } from '@dais/shared';
import { AuditService } from '../audit/audit.service';
import { EventBus } from '../events/event-bus';
import { MANAGER_CONFIG, type ManagerConfig } from '../config/manager.config';
import type { User } from '../generated/prisma/client';
import { toUserView } from '../users/user-view';
import { generateApiToken, looksLikeApiToken } from './api-token';
import type { AuthenticatedUser } from './authenticated-user';
import { LoginRateLimiter } from './login-rate-limiter';
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
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    @Inject(MANAGER_CONFIG) private readonly config: ManagerConfig,
  ) {}

  /** Cookies are Secure when browsers reach the manager over HTTPS. */
  get secureCookies(): boolean {
    return this.config.publicUrl.startsWith('https:');
  }

  /**
   * Checks a username and password (rate-limited per account and per address; unknown users take
   * as long as known ones) and opens a session. The same answer for every kind of failure.
   */
  async login(username: string, password: string, client: ClientInfo): Promise<{ user: User; session: NewSession }> {
    await this.limiter.assertAllowed(username, client.ip);
    const user = await this.users.findByUsername(username);
    const valid = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !valid || user.disabled) {
      await this.limiter.recordFailure(username, client.ip);
      await this.audit.record({
        actor: { id: user?.id ?? null, username: username.slice(0, 64), ip: client.ip },
        action: 'auth.login.failed',
      });
      throw new DaisError('INVALID_CREDENTIALS', 'Wrong username or password.');
    }
    await this.limiter.recordSuccess(username);
    return { user, session: await this.openSession(user, client, 'password') };
  }

  /** Opens a session for a user who proved who they are (password or single sign-on). */
  async openSession(user: User, client: ClientInfo, method: 'password' | 'sso'): Promise<NewSession> {
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
    const user = looksLikeApiToken(token) ? await this.users.findByToken(token) : null;
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

  /** Changes one's own password after checking the current one; every other session is signed out. */
  async changePassword(actor: AuthenticatedUser, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.users.findById(actor.id);
    await this.limiter.assertAllowed(actor.username, actor.ip);
    if (user && !user.passwordHash) {
      throw new DaisError('NO_PASSWORD', 'This account signs in with single sign-on and has no password to change.');
    }
    if (!user || !(await verifyPassword(user.passwordHash, currentPassword))) {
      await this.limiter.recordFailure(actor.username, actor.ip);
      throw new DaisError('INVALID_CREDENTIALS', 'The current password is not right.', {
        issues: [{ path: 'currentPassword', rule: 'matches', message: 'does not match' }],
      });
    }
    if (newPassword.toLowerCase().includes(user.username)) {
      throw new DaisError('VALIDATION_FAILED', 'The new password must not contain your username.', {
        issues: [{ path: 'newPassword', rule: 'not-username', message: 'contains the username' }],
      });
    }
    await this.users.update(user.id, { passwordHash: await hashPassword(newPassword), passwordChangedAt: new Date() });
    await this.sessions.deleteForUser(user.id, actor.session?.id);
    await this.audit.record({ actor, action: 'auth.password.change' });
    await this.events.userChanged(user.id);
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
