import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DaisError, emailSchema } from '@dais/shared';
import { AuditService } from '../../audit/audit.service';
import type { UserRecord } from '../../users/user';
import { AuthService, type ClientInfo } from '../auth.service';
import type { NewSession } from '../session.repository';
import { UserRepository } from '../user.repository';
import { OidcClient, type OidcIdentity } from './oidc.client';
import { OidcLoginStates } from './oidc-login-states';
import { STATE_FORMAT } from './oidc-state-cookie';
import { usernameFromClaims, withNumericSuffix } from './oidc-username';

/** What came back to the callback. */
export interface OidcCallback {
  /** The `state` query parameter. */
  state: string | undefined;
  /** The raw query string (`?code=…&state=…`), passed as it is to the code exchange. */
  search: string;
  /** The state the browser's cookie says it started with. */
  cookieState: string | undefined;
}

/** Tries `alice`, `alice2` … `alice100` before giving up on a name. */
const MAX_USERNAME_TRIES = 100;
/** The `User.oidcSubject` column's size. */
const MAX_SUBJECT_LENGTH = 500;

/**
 * Single sign-on: starts a sign-in at the provider and finishes it into a Dais session. An identity
 * is matched by `issuer|sub` only, never by username or email, so a provider account can never
 * take over an existing local account that happens to share its name.
 */
@Injectable()
export class OidcService {
  constructor(
    private readonly client: OidcClient,
    private readonly states: OidcLoginStates,
    private readonly users: UserRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  get enabled(): boolean {
    return this.client.enabled;
  }

  /** The provider URL to send the browser to, and the state to bind to the browser. */
  async start(): Promise<{ url: string; state: string }> {
    this.assertEnabled();
    const { url, state, pending } = await this.client.authorizationRequest();
    await this.states.remember(state, pending);
    return { url, state };
  }

  /** Checks the callback belongs to a sign-in this browser started, then opens a session for the person. */
  async finish(callback: OidcCallback, from: ClientInfo): Promise<{ user: UserRecord; session: NewSession }> {
    this.assertEnabled();
    const state = sameState(callback.state, callback.cookieState);
    const pending = state ? await this.states.take(state) : null;
    if (!state || !pending) {
      throw new DaisError(
        'SSO_STATE_INVALID',
        'This sign-in answer does not belong to a sign-in started in this browser, or it expired or was already used; start again at /api/auth/oidc/login.',
      );
    }
    let identity: OidcIdentity;
    try {
      identity = await this.client.identify(callback.search, state, pending);
    } catch (error) {
      await this.recordFailure(from, error instanceof DaisError ? error.message : 'unexpected error');
      throw error;
    }
    const user = await this.findOrCreate(identity, from);
    if (user.disabled) {
      await this.recordFailure(from, 'account disabled', user);
      throw new DaisError('FORBIDDEN', 'This account is disabled; ask an admin to enable it.');
    }
    return { user, session: await this.auth.openSession(user, from, 'sso') };
  }

  private assertEnabled(): void {
    if (!this.client.enabled) {
      throw new DaisError('SSO_NOT_CONFIGURED', 'Single sign-on is not set up on this Dais; sign in with a username and password.');
    }
  }

  /**
   * The account of this identity, created on its first sign-in (role user, no password). A verified
   * e-mail address no other account has becomes the account's, if it has none yet.
   */
  private async findOrCreate(identity: OidcIdentity, from: ClientInfo): Promise<UserRecord> {
    const subject = `${identity.issuer}|${identity.subject}`;
    if (subject.length > MAX_SUBJECT_LENGTH)
      throw new DaisError('SSO_FAILED', 'The identity provider sent an identifier too long to store.');
    const email = await this.freeVerifiedEmail(identity);
    const existing = await this.users.findByOidcSubject(subject);
    if (existing) {
      // Another account taking it meanwhile only leaves this one without an address.
      if (email && existing.email === null) return (await this.users.updateUnique(existing.id, { email })) ?? existing;
      return existing;
    }
    const base = usernameFromClaims(identity);
    for (let attempt = 1; attempt <= MAX_USERNAME_TRIES; attempt += 1) {
      const username = attempt === 1 ? base : withNumericSuffix(base, attempt);
      const displayName = (identity.name ?? '').slice(0, 100);
      const created = await this.users.create({ username, displayName, role: 'user', passwordHash: null, oidcSubject: subject, email });
      if (created) {
        await this.audit.record({
          actor: { id: created.id, username, ip: from.ip },
          action: 'user.create',
          details: { userId: created.id, username, role: created.role, via: 'sso', issuer: identity.issuer },
        });
        return created;
      }
      // Taken: by another account, or by this very identity signing in twice at once.
      const raced = await this.users.findByOidcSubject(subject);
      if (raced) return raced;
    }
    throw new DaisError(
      'NAME_TAKEN',
      `Every username from ${base} to ${withNumericSuffix(base, MAX_USERNAME_TRIES)} is taken; ask an admin.`,
    );
  }

  /** The identity's e-mail address, lowercase, if the provider verified it and no account has it. */
  private async freeVerifiedEmail(identity: OidcIdentity): Promise<string | null> {
    if (!identity.emailVerified || identity.email === undefined) return null;
    const parsed = emailSchema.safeParse(identity.email);
    if (!parsed.success || (await this.users.findByEmail(parsed.data))) return null;
    return parsed.data;
  }

  private async recordFailure(from: ClientInfo, reason: string, user?: UserRecord): Promise<void> {
    await this.audit.record({
      actor: { id: user?.id ?? null, username: user?.username ?? '(single sign-on)', ip: from.ip },
      action: 'auth.login.failed',
      details: { method: 'sso', reason },
    });
  }
}

/** The state, if the query and the cookie carry the same well-formed one. */
function sameState(query: string | undefined, cookie: string | undefined): string | null {
  if (!query || !cookie || !STATE_FORMAT.test(query) || query.length !== cookie.length) return null;
  return timingSafeEqual(Buffer.from(query), Buffer.from(cookie)) ? query : null;
}
