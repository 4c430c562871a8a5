import { DaisError } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import type { EventBus } from '../../infrastructure/realtime/event-bus';
import { actor } from '../../testing/actors';
import { FakeClock } from '../../testing/fake-clock';
import { InMemorySessionRepository } from '../../testing/in-memory-sessions';
import { InMemoryUserRepository } from '../../testing/in-memory-users';
import { RecordingAudit } from '../../testing/recording-audit';
import { refusal } from '../../testing/refusal';
import { strictFake } from '../../testing/strict-fake';
import { testConfig } from '../../testing/test-config';
import type { AccessRevocation, AccountRevocation } from './access-revocation';
import { hashApiToken } from './api-token';
import { AuthService } from './auth.service';
import type { ApiTokenRecord } from './credentials';
import type { LoginRateLimiter } from './login-rate-limiter';
import { hashPassword, verifyPassword } from './password';
import type { SessionRepository } from './session.repository';
import type { UserRepository } from './user.repository';

const from = { ip: '203.0.113.7', userAgent: 'test' };
const config = testConfig();
/** Hashed once: argon2 is slow on purpose. */
const alicesHash = hashPassword('correct horse battery');

/**
 * Accounts alice (id 1, a password), sso (id 2, single sign-on only) and off (id 3, disabled), with
 * sessions on a fake clock and API tokens in memory. The rate limiter records what it admitted and
 * refuses everything while `limiter.blocked`.
 */
async function setup() {
  const clock = new FakeClock();
  const store = new InMemoryUserRepository(clock);
  store.seed({ id: 1, username: 'alice', passwordHash: await alicesHash });
  store.seed({ id: 2, username: 'sso', oidcSubject: 'https://idp|2' });
  store.seed({ id: 3, username: 'off', passwordHash: await alicesHash, disabled: true });
  const tokens: (ApiTokenRecord & { token: string })[] = [];
  /** Each token looked up, with the time the service passed (it records when a token was last used). */
  const tokenLookups: { token: string; at: number }[] = [];
  const users = strictFake<UserRepository>('users', {
    findById: (id) => store.findById(id),
    findByUsername: (username) => store.findByUsername(username),
    updateUnique: (id, changes) => store.updateUnique(id, changes),
    update: async (id, changes) => (await store.updateUnique(id, changes))!,
    addToken: (userId, name, token) => {
      const row = {
        id: tokens.length + 1,
        userId,
        name,
        token,
        tokenHash: hashApiToken(token),
        createdAt: clock.date(),
        lastUsedAt: null,
        revokedAt: null,
      };
      tokens.push(row);
      return Promise.resolve(row);
    },
    findByToken: async (token, now) => {
      tokenLookups.push({ token, at: now.getTime() });
      const row = tokens.find((candidate) => candidate.token === token && candidate.revokedAt === null);
      const user = row ? await store.findById(row.userId) : null;
      return user && !user.disabled ? user : null;
    },
    revokeToken: (userId, tokenId) => {
      const row = tokens.find((candidate) => candidate.id === tokenId && candidate.userId === userId && candidate.revokedAt === null);
      if (row) row.revokedAt = clock.date();
      return Promise.resolve(row !== undefined);
    },
  });
  const sessions = new InMemorySessionRepository(clock, (id) => store.findById(id));
  const limiter = {
    blocked: false,
    admitted: [] as string[],
    succeeded: [] as string[],
  };
  const limiterPort = strictFake<LoginRateLimiter>('limiter', {
    admit: (username, ip) => {
      if (limiter.blocked) return Promise.reject(new DaisError('RATE_LIMITED', 'Too many failed sign-ins; try again in 8 seconds.'));
      limiter.admitted.push(`${username}@${ip}`);
      return Promise.resolve();
    },
    succeeded: (username, ip) => Promise.resolve(void limiter.succeeded.push(`${username}@${ip}`)),
  });
  const ended: { userId: number; revocation: AccountRevocation }[] = [];
  const access = strictFake<AccessRevocation>('access', {
    endAccount: (userId, revocation) => Promise.resolve(void ended.push({ userId, revocation })),
  });
  const changed: number[] = [];
  const events = strictFake<EventBus>('events', { userChanged: (userId) => Promise.resolve(void changed.push(userId)) });
  const audit = new RecordingAudit();
  const service = new AuthService(
    users,
    sessions as unknown as SessionRepository,
    limiterPort,
    access,
    audit as unknown as AuditService,
    events,
    config,
    clock,
  );
  return { service, clock, store, tokens, tokenLookups, sessions, limiter, ended, changed, audit };
}

/** alice as signed in with a session. */
async function signedIn(context: Awaited<ReturnType<typeof setup>>) {
  const { session } = await context.service.login('alice', 'correct horse battery', from);
  return { session, alice: (await context.service.userFromSession(session.token, from.ip))! };
}

describe('password sign-in', () => {
  it('opens a session for the right password, tells the limiter it succeeded, and records it', async () => {
    const context = await setup();
    const { user, session } = await context.service.login('alice', 'correct horse battery', from);
    expect(user.id).toBe(1);
    expect(session.expiresAt.getTime()).toBe(context.clock.now() + config.sessionTtlMs);
    expect(context.sessions.rows).toMatchObject([{ userId: 1, ip: from.ip }]);
    expect(context.limiter).toMatchObject({ admitted: ['alice@203.0.113.7'], succeeded: ['alice@203.0.113.7'] });
    expect(context.audit.entries).toMatchObject([{ action: 'auth.login', actor: { id: 1 }, details: { method: 'password' } }]);
  });

  it('answers a wrong password, an unknown user, a disabled account and a password-less one alike, counting each', async () => {
    const context = await setup();
    const answers = await Promise.all([
      refusal(context.service.login('alice', 'wrong', from)),
      refusal(context.service.login('nobody', 'correct horse battery', from)),
      refusal(context.service.login('off', 'correct horse battery', from)),
      refusal(context.service.login('sso', '', from)),
    ]);
    expect(new Set(answers.map((answer) => `${answer.code}: ${answer.message}`))).toEqual(
      new Set(['INVALID_CREDENTIALS: Wrong username or password.']),
    );
    expect(context.sessions.rows).toEqual([]);
    expect(context.limiter.admitted).toHaveLength(4);
    expect(context.limiter.succeeded).toEqual([]);
    expect(context.audit.actions).toEqual(Array(4).fill('auth.login.failed'));
  });

  it('records the username tried, cut to 64 characters, with no account id when none matched', async () => {
    const context = await setup();
    await refusal(context.service.login('x'.repeat(500), 'pw', from));
    expect(context.audit.entries).toMatchObject([{ actor: { id: null, username: 'x'.repeat(64), ip: from.ip } }]);
  });

  it('checks no password while the limiter says wait, and passes its answer on', async () => {
    const context = await setup();
    context.limiter.blocked = true;
    expect((await refusal(context.service.login('alice', 'correct horse battery', from))).code).toBe('RATE_LIMITED');
    expect(context.sessions.rows).toEqual([]);
    expect(context.audit.entries).toEqual([]);
  });
});

describe('sessions', () => {
  it('finds the user behind a live session, with its CSRF token', async () => {
    const context = await setup();
    const { session, alice } = await signedIn(context);
    expect(alice).toMatchObject({ id: 1, username: 'alice', role: 'user', ip: from.ip, session: { csrfToken: session.csrfToken } });
  });

  it('ends a session left unused for its lifetime, and keeps one in use alive', async () => {
    const context = await setup();
    const { session } = await signedIn(context);
    context.clock.advance(config.sessionTtlMs - 1);
    expect(await context.service.userFromSession(session.token, null)).not.toBeNull();
    context.clock.advance(config.sessionTtlMs - 1);
    expect(await context.service.userFromSession(session.token, null)).not.toBeNull();
    context.clock.advance(config.sessionTtlMs);
    expect(await context.service.userFromSession(session.token, null)).toBeNull();
  });

  it('knows no unknown cookie, and no session of an account disabled since', async () => {
    const context = await setup();
    const { session } = await signedIn(context);
    expect(await context.service.userFromSession('made-up', null)).toBeNull();
    await context.store.updateUnique(1, { disabled: true });
    expect(await context.service.userFromSession(session.token, null)).toBeNull();
  });

  it('signs out: the session no longer counts, and the account’s sockets hear of it', async () => {
    const context = await setup();
    const { session, alice } = await signedIn(context);
    await context.service.logout(alice, session.token);
    expect(await context.service.userFromSession(session.token, null)).toBeNull();
    expect(context.changed).toEqual([1]);
    expect(context.audit.actions).toEqual(['auth.login', 'auth.logout']);
  });
});

describe('personal API tokens', () => {
  it('shows a new token once, stores only its hash, and lets it sign in until revoked', async () => {
    const context = await setup();
    const alice = actor(1, 'alice');
    const created = await context.service.createToken(alice, 'ci');
    expect(created.token).toMatch(/^dais_/);
    expect(context.tokens[0]!.tokenHash).toBe(hashApiToken(created.token));
    context.clock.advance(90_000);
    expect(await context.service.userFromToken(created.token, from.ip)).toMatchObject({ id: 1, session: null, ip: from.ip });
    // The use is recorded at the service's clock.
    expect(context.tokenLookups).toEqual([{ token: created.token, at: context.clock.now() }]);
    await context.service.revokeToken(alice, created.id);
    expect(await context.service.userFromToken(created.token, from.ip)).toBeNull();
    expect(context.audit.actions).toEqual(['token.create', 'token.revoke']);
    expect(JSON.stringify(context.audit.entries)).not.toContain(created.token);
  });

  it('does not look up what is not shaped like a token', async () => {
    const context = await setup();
    expect(await context.service.userFromToken('password123', null)).toBeNull();
    expect(await context.service.userFromToken(`dais_${'x'.repeat(42)}`, null)).toBeNull();
    expect(context.tokenLookups).toEqual([]);
  });

  it('refuses to revoke another account’s token (NOT_FOUND), leaving it live', async () => {
    const context = await setup();
    const created = await context.service.createToken(actor(1, 'alice'), 'ci');
    expect((await refusal(context.service.revokeToken(actor(2, 'sso'), created.id))).code).toBe('NOT_FOUND');
    expect(await context.service.userFromToken(created.token, null)).toMatchObject({ id: 1 });
  });
});

describe('changing one’s password', () => {
  it('needs the current password, counting a wrong one with the limiter', async () => {
    const context = await setup();
    const { alice } = await signedIn(context);
    const answer = await refusal(
      context.service.changePassword(alice, { currentPassword: 'wrong', newPassword: 'a new long secret', endOtherSessions: false }),
    );
    expect(answer).toMatchObject({ code: 'INVALID_CREDENTIALS', details: { issues: [{ path: 'currentPassword' }] } });
    expect(await verifyPassword(context.store.rows[0]!.passwordHash, 'correct horse battery')).toBe(true);
    expect(context.limiter.succeeded).toEqual(['alice@203.0.113.7']); // the sign-in's, not the change's
  });

  it('refuses a new password containing the username, keeping the old one', async () => {
    const context = await setup();
    const { alice } = await signedIn(context);
    const answer = await refusal(
      context.service.changePassword(alice, {
        currentPassword: 'correct horse battery',
        newPassword: 'ALICE-rocks-2026',
        endOtherSessions: false,
      }),
    );
    expect(answer).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'newPassword', rule: 'not-username' }] } });
    expect(await verifyPassword(context.store.rows[0]!.passwordHash, 'correct horse battery')).toBe(true);
  });

  it('tells an SSO account it has no password (NO_PASSWORD)', async () => {
    const context = await setup();
    const answer = await refusal(
      context.service.changePassword(actor(2, 'sso'), { currentPassword: '', newPassword: 'whatever long', endOtherSessions: true }),
    );
    expect(answer.code).toBe('NO_PASSWORD');
    expect(context.ended).toEqual([]);
  });

  it('stores the new hash, and ends every other session and token when asked, keeping this one', async () => {
    const context = await setup();
    const { alice } = await signedIn(context);
    context.clock.advance(5_000);
    await context.service.changePassword(alice, {
      currentPassword: 'correct horse battery',
      newPassword: 'a new long secret',
      endOtherSessions: true,
    });
    expect(await verifyPassword(context.store.rows[0]!.passwordHash, 'a new long secret')).toBe(true);
    expect(context.store.rows[0]!.passwordChangedAt).toEqual(context.clock.date());
    expect(context.ended).toEqual([
      { userId: 1, revocation: { reason: 'credentials-changed', keepSessionId: alice.session!.id, revokeTokens: true } },
    ]);
    expect(context.audit.entries.at(-1)).toMatchObject({ action: 'auth.password.change', details: { endOtherSessions: true } });
    expect(JSON.stringify(context.audit.entries)).not.toContain('a new long secret');
  });

  it('otherwise only tells the account’s sockets', async () => {
    const context = await setup();
    const { alice } = await signedIn(context);
    await context.service.changePassword(alice, {
      currentPassword: 'correct horse battery',
      newPassword: 'a new long secret',
      endOtherSessions: false,
    });
    expect(context.ended).toEqual([]);
    expect(context.changed).toEqual([1]);
  });
});

describe('one’s own account', () => {
  it('sets an e-mail address, refusing one another account has (EMAIL_TAKEN)', async () => {
    const context = await setup();
    context.store.seed({ id: 4, username: 'bob', email: 'bob@example.org' });
    expect(await context.service.updateAccount(actor(1, 'alice'), 'alice@example.org')).toMatchObject({ email: 'alice@example.org' });
    expect((await refusal(context.service.updateAccount(actor(1, 'alice'), 'bob@example.org'))).code).toBe('EMAIL_TAKEN');
    expect(context.store.rows[0]!.email).toBe('alice@example.org');
    expect(context.audit.actions).toEqual(['user.update']);
  });

  it('answers UNAUTHENTICATED for an account that no longer exists', async () => {
    const context = await setup();
    expect((await refusal(context.service.me(actor(77, 'ghost')))).code).toBe('UNAUTHENTICATED');
  });
});
