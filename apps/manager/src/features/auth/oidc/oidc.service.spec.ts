import { DaisError } from '@dais/shared';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../../audit/audit.service';
import type { UserRecord } from '../../users/user';
import { InMemoryUserRepository } from '../../../testing/in-memory-users';
import { RecordingAudit } from '../../../testing/recording-audit';
import { refusal } from '../../../testing/refusal';
import { strictFake } from '../../../testing/strict-fake';
import type { AuthService } from '../auth.service';
import type { UserRepository } from '../user.repository';
import type { OidcClient, OidcIdentity, PendingOidcLogin } from './oidc.client';
import type { OidcLoginStates } from './oidc-login-states';
import { OidcService } from './oidc.service';

const ISSUER = 'https://idp.example.org';
const STATE = 's'.repeat(43);
const PENDING: PendingOidcLogin = { nonce: 'nonce-1', codeVerifier: 'verifier-1' };
const from = { ip: '198.51.100.4', userAgent: 'browser' };

/**
 * Single sign-on with a provider that answers `identity` (or fails with `providerError`) for any
 * code, sign-ins in progress kept in memory (each taken once), accounts in memory: alice (id 1, a
 * local account with a password and an e-mail address).
 */
function setup(options: { enabled?: boolean } = {}) {
  const store = new InMemoryUserRepository();
  store.seed({ id: 1, username: 'alice', passwordHash: 'argon2-hash', email: 'alice@example.org' });
  const provider: { identity: OidcIdentity; error: Error | null } = {
    identity: { issuer: ISSUER, subject: 'sub-1', preferredUsername: 'alice', emailVerified: false },
    error: null,
  };
  const identified: { search: string; state: string; pending: PendingOidcLogin }[] = [];
  const client = strictFake<OidcClient>('oidc client', {
    enabled: options.enabled ?? true,
    authorizationRequest: () => Promise.resolve({ url: `${ISSUER}/authorize?state=${STATE}`, state: STATE, pending: PENDING }),
    identify: (search, state, pending) => {
      identified.push({ search, state, pending });
      return provider.error ? Promise.reject(provider.error) : Promise.resolve(provider.identity);
    },
  });
  const pending = new Map<string, PendingOidcLogin>();
  const states = strictFake<OidcLoginStates>('login states', {
    remember: (state, login) => Promise.resolve(void pending.set(state, login)),
    take: (state) => {
      const login = pending.get(state) ?? null;
      pending.delete(state);
      return Promise.resolve(login);
    },
  });
  const users = strictFake<UserRepository>('users', {
    findByOidcSubject: (subject) => Promise.resolve(store.rows.find((user) => user.oidcSubject === subject) ?? null),
    findByEmail: (email) => store.findByEmail(email),
    create: (user) => store.create(user),
    updateUnique: (id, changes) => store.updateUnique(id, changes),
  });
  const opened: { user: UserRecord; method: string }[] = [];
  const auth = strictFake<AuthService>('auth', {
    openSession: (user, _client, method) => {
      opened.push({ user, method });
      return Promise.resolve({ token: 'session-token', csrfToken: 'csrf', expiresAt: new Date(0) });
    },
  });
  const audit = new RecordingAudit();
  const service = new OidcService(client, states, users, auth, audit as unknown as AuditService);
  return { service, store, provider, identified, pending, opened, audit };
}

/** The callback of the sign-in `start` began, as the same browser brings it back. */
const callback = (state = STATE, cookieState = STATE) => ({ state, cookieState, search: `?code=c0de&state=${state}` });

/** Starts a sign-in and finishes it from the same browser. */
async function signIn(context: ReturnType<typeof setup>) {
  await context.service.start();
  return context.service.finish(callback(), from);
}

describe('starting and checking a sign-in', () => {
  it('remembers the one-time secrets under the state, and hands them back to the code exchange', async () => {
    const context = setup();
    expect(await context.service.start()).toEqual({ url: `${ISSUER}/authorize?state=${STATE}`, state: STATE });
    expect(context.pending.get(STATE)).toEqual(PENDING);
    await context.service.finish(callback(), from);
    expect(context.identified).toEqual([{ search: `?code=c0de&state=${STATE}`, state: STATE, pending: PENDING }]);
  });

  it('refuses a callback whose state is not the cookie’s, missing or malformed, before asking the provider', async () => {
    const context = setup();
    await context.service.start();
    const other = 't'.repeat(43);
    const answers = await Promise.all([
      refusal(context.service.finish(callback(STATE, other), from)),
      refusal(context.service.finish({ state: undefined, cookieState: STATE, search: '' }, from)),
      refusal(context.service.finish({ state: STATE, cookieState: undefined, search: `?code=c0de&state=${STATE}` }, from)),
      refusal(context.service.finish(callback('short', 'short'), from)),
    ]);
    expect(answers.map((answer) => answer.code)).toEqual(Array(4).fill('SSO_STATE_INVALID'));
    expect(context.identified).toEqual([]);
    expect(context.pending.has(STATE)).toBe(true); // a forged callback does not use up the real one
  });

  it('takes a state once: a replayed callback is refused', async () => {
    const context = setup();
    await signIn(context);
    expect((await refusal(context.service.finish(callback(), from))).code).toBe('SSO_STATE_INVALID');
    expect(context.identified).toHaveLength(1);
    expect(context.opened).toHaveLength(1);
  });

  it('refuses a state it never issued (expired, or from another manager)', async () => {
    const context = setup();
    expect((await refusal(context.service.finish(callback(), from))).code).toBe('SSO_STATE_INVALID');
  });

  it('records a failed code exchange (a nonce mismatch, say) and passes the provider’s error on', async () => {
    const context = setup();
    context.provider.error = new DaisError('SSO_FAILED', 'The ID token’s nonce does not match.');
    await context.service.start();
    expect((await refusal(context.service.finish(callback(), from))).code).toBe('SSO_FAILED');
    expect(context.audit.entries).toEqual([
      {
        actor: { id: null, username: '(single sign-on)', ip: from.ip },
        action: 'auth.login.failed',
        site: null,
        details: { method: 'sso', reason: 'The ID token’s nonce does not match.' },
      },
    ]);
    expect(context.opened).toEqual([]);
  });

  it('says so when single sign-on is not set up (SSO_NOT_CONFIGURED)', async () => {
    const context = setup({ enabled: false });
    expect(context.service.enabled).toBe(false);
    expect((await refusal(context.service.start())).code).toBe('SSO_NOT_CONFIGURED');
    expect((await refusal(context.service.finish(callback(), from))).code).toBe('SSO_NOT_CONFIGURED');
  });
});

describe('which account an identity signs in to', () => {
  it('never takes over a local account of the same name: a first sign-in creates its own, with the next free name', async () => {
    const context = setup();
    const { user } = await signIn(context);
    expect(user).toMatchObject({ id: 2, username: 'alice2', role: 'user', passwordHash: null, oidcSubject: `${ISSUER}|sub-1` });
    expect(context.store.rows[0]).toMatchObject({ username: 'alice', oidcSubject: null });
    expect(context.opened).toMatchObject([{ user: { id: 2 }, method: 'sso' }]);
    expect(context.audit.entries).toMatchObject([
      { action: 'user.create', actor: { id: 2, username: 'alice2' }, details: { via: 'sso', issuer: ISSUER, role: 'user' } },
    ]);
  });

  it('signs the same identity in to the same account later, matching issuer and subject only', async () => {
    const context = setup();
    const first = await signIn(context);
    context.provider.identity = { ...context.provider.identity, preferredUsername: 'renamed' };
    expect((await signIn(context)).user.id).toBe(first.user.id);
    context.provider.identity = { ...context.provider.identity, issuer: 'https://other-idp.example.org' };
    expect((await signIn(context)).user.id).not.toBe(first.user.id);
    expect(context.store.rows).toHaveLength(3);
  });

  it('takes a verified e-mail address no one has, and never one another account has or an unverified one', async () => {
    const context = setup();
    context.provider.identity = { issuer: ISSUER, subject: 'carol', email: 'Carol@Example.org', emailVerified: true };
    expect((await signIn(context)).user).toMatchObject({ username: 'carol', email: 'carol@example.org' });
    context.provider.identity = { issuer: ISSUER, subject: 'mallory', email: 'alice@example.org', emailVerified: true };
    expect((await signIn(context)).user).toMatchObject({ username: 'alice2', email: null });
    context.provider.identity = { issuer: ISSUER, subject: 'dave', email: 'dave@example.org', emailVerified: false };
    expect((await signIn(context)).user).toMatchObject({ username: 'dave', email: null });
  });

  it('gives an existing SSO account without an address the verified one it now brings', async () => {
    const context = setup();
    context.provider.identity = { issuer: ISSUER, subject: 'dave', email: 'dave@example.org', emailVerified: false };
    await signIn(context);
    context.provider.identity = { ...context.provider.identity, emailVerified: true };
    expect((await signIn(context)).user).toMatchObject({ username: 'dave', email: 'dave@example.org' });
  });

  it('refuses a disabled account (FORBIDDEN), recording why, and opens no session', async () => {
    const context = setup();
    const { user } = await signIn(context);
    await context.store.updateUnique(user.id, { disabled: true });
    expect((await refusal(signIn(context))).code).toBe('FORBIDDEN');
    expect(context.opened).toHaveLength(1);
    expect(context.audit.entries.at(-1)).toMatchObject({
      action: 'auth.login.failed',
      actor: { id: user.id, username: 'alice2' },
      details: { reason: 'account disabled' },
    });
  });

  it('refuses an identifier too long to store (SSO_FAILED), creating nothing', async () => {
    const context = setup();
    context.provider.identity = { ...context.provider.identity, subject: 'x'.repeat(500) };
    expect((await refusal(signIn(context))).code).toBe('SSO_FAILED');
    expect(context.store.rows).toHaveLength(1);
  });

  it('gives up with NAME_TAKEN once alice … alice100 are all taken', async () => {
    const context = setup();
    for (let n = 2; n <= 100; n += 1) context.store.seed({ username: `alice${n}` });
    const answer = await refusal(signIn(context));
    expect(answer).toMatchObject({ code: 'NAME_TAKEN', message: expect.stringContaining('alice to alice100') as string });
    expect(context.opened).toEqual([]);
  });
});
