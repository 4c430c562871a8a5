import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SOCKET_EVENTS, type UserView } from '@dais/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from './support/browser-session';
import { REPO_ROOT } from './support/dev-env';
import { TestStack } from './support/stack';

const run = promisify(execFile);

type ErrorBody = { error: { code: string; message: string; details?: { issues?: { path: string; rule: string }[] } } };
type AuditBody = { events: { action: string; actor: string; siteName: string | null; ip: string | null }[] };

describe('accounts: sign-in, sessions, CSRF, passwords, tokens, users, audit', () => {
  let stack: TestStack;
  let baseUrl: string;
  const ids: Record<string, number> = {};
  const browser = () => new BrowserSession(baseUrl);

  /** A signed-in browser (fails the test if sign-in does not work). */
  async function signedIn(username: string, password = `${username} long password 1`, from?: string): Promise<BrowserSession> {
    const session = browser();
    const answer = await session.login(username, password, from ? { 'x-forwarded-for': from } : {});
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    return session;
  }

  beforeAll(async () => {
    // The test client plays a load balancer: the manager believes its X-Forwarded-For. Sign-in
    // delays start at a minute, so a refusal below never depends on how fast the machine is.
    stack = await TestStack.start('accounts', { env: { DAIS_TRUSTED_PROXIES: '127.0.0.1', DAIS_LOGIN_BASE_DELAY_MS: '60000' } });
    baseUrl = `http://127.0.0.1:${stack.ports.manager}`;
    for (const username of ['alice', 'bob', 'dave', 'erin']) {
      const created = await stack.api<UserView>('POST', '/api/users', { username, password: `${username} long password 1` });
      expect(created.status).toBe(201);
      ids[username] = created.json.id;
    }
  });

  afterAll(() => stack.stop());

  it('signs in with a session cookie that is HttpOnly and SameSite, plus a readable CSRF cookie', async () => {
    const session = browser();
    const answer = await session.login('alice', 'alice long password 1');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ user: { username: 'alice', role: 'user', hasPassword: true }, csrfToken: expect.any(String) });
    const cookies = (await session.request('GET', '/api/auth/me')).status;
    expect(cookies).toBe(200);
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice long password 1' }),
    });
    const [sessionCookie, csrfCookie] = ['dais_session', 'dais_csrf'].map((name) =>
      login.headers.getSetCookie().find((line) => line.startsWith(`${name}=`)),
    );
    expect(sessionCookie).toMatch(/HttpOnly/i);
    expect(sessionCookie).toMatch(/SameSite=Lax/i);
    // Served over plain http here, so not Secure (the unit spec covers https).
    expect(sessionCookie).not.toMatch(/Secure/i);
    expect(csrfCookie).not.toMatch(/HttpOnly/i);
    // The session token is never in a body.
    expect(JSON.stringify(await login.json())).not.toContain(sessionCookie!.split(';')[0]!.split('=')[1]);
  });

  it('refuses state-changing cookie requests without the CSRF token, and accepts them with it', async () => {
    const alice = await signedIn('alice');
    const missing = await alice.request<ErrorBody>('POST', '/api/tokens', { name: 'script' }, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.json.error.code).toBe('CSRF_FAILED');
    const wrong = await alice.request<ErrorBody>(
      'POST',
      '/api/tokens',
      { name: 'script' },
      { csrf: false, headers: { 'x-csrf-token': 'x'.repeat(43) } },
    );
    expect(wrong.status).toBe(403);
    // Another session's token does not work either.
    const bob = await signedIn('bob');
    const crossed = await alice.request<ErrorBody>(
      'POST',
      '/api/tokens',
      { name: 'script' },
      { csrf: false, headers: { 'x-csrf-token': bob.csrfToken! } },
    );
    expect(crossed.status).toBe(403);
    expect((await alice.request('GET', '/api/tokens', undefined, { csrf: false })).status).toBe(200);
    expect((await alice.request('POST', '/api/tokens', { name: 'script' })).status).toBe(201);
  });

  it('wrong passwords, unknown users and disabled users get the same answer', async () => {
    const wrong = await browser().login('alice', 'wrong password!');
    const unknown = await browser().login('nobody-here', 'wrong password!');
    expect(wrong.status).toBe(401);
    expect(unknown.json).toEqual(wrong.json);
    expect((wrong.json as ErrorBody).error.code).toBe('INVALID_CREDENTIALS');
  });

  it('signs out: the cookie stops working at once', async () => {
    const bob = await signedIn('bob');
    const cookie = bob.cookieHeader;
    expect((await bob.request('POST', '/api/auth/logout')).status).toBe(204);
    const after = await fetch(`${baseUrl}/api/auth/me`, { headers: { cookie } });
    expect(after.status).toBe(401);
  });

  it('changing the password needs the current one, signs out every other session and keeps this one', async () => {
    const here = await signedIn('dave');
    const elsewhere = await signedIn('dave');
    const wrongCurrent = await here.request<ErrorBody>('POST', '/api/auth/password', {
      currentPassword: 'nope',
      newPassword: 'a brand new secret',
    });
    expect(wrongCurrent.status).toBe(401);
    const weak = await here.request<ErrorBody>('POST', '/api/auth/password', {
      currentPassword: 'dave long password 1',
      newPassword: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.json.error.details?.issues?.[0]?.path).toBe('newPassword');
    const withName = await here.request<ErrorBody>('POST', '/api/auth/password', {
      currentPassword: 'dave long password 1',
      newPassword: 'dave-is-the-best',
    });
    expect(withName.status).toBe(400);
    const changed = await here.request('POST', '/api/auth/password', {
      currentPassword: 'dave long password 1',
      newPassword: 'a brand new secret',
    });
    expect(changed.status).toBe(204);
    expect((await here.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await elsewhere.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await browser().login('dave', 'dave long password 1')).status).toBe(401);
    expect((await browser().login('dave', 'a brand new secret')).status).toBe(200);
  });

  it('slows sign-in per account: after 10 failures from anywhere, an address new to it waits its turn (429 and a retry hint), even with the right password', async () => {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const answer = await browser().login('erin', `guess ${attempt}`, { 'x-forwarded-for': `192.0.2.${attempt + 1}` });
      expect(answer.status).toBe(401);
    }
    const blocked = await browser().login('erin', 'erin long password 1', { 'x-forwarded-for': '192.0.2.200' });
    expect(blocked.status).toBe(429);
    expect(blocked.json).toMatchObject({ error: { code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } } });
    // A short wait (DAIS_LOGIN_ACCOUNT_MAX_DELAY_SECONDS, 30 s by default), never a lock: test/security/sign-in.test.ts.
    const { retryAfterSeconds } = (blocked.json as { error: { details: { retryAfterSeconds: number } } }).error.details;
    expect(retryAfterSeconds).toBeLessThanOrEqual(30);
    // Other accounts are not affected.
    await signedIn('alice', undefined, '192.0.2.201');
  });

  it('slows sign-in per address after 50 failures across accounts', async () => {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      expect((await browser().login(`spray${attempt}`, 'Winter2026!', { 'x-forwarded-for': '198.51.100.66' })).status).toBe(401);
    }
    const blocked = await browser().login('alice', 'alice long password 1', { 'x-forwarded-for': '198.51.100.66' });
    expect(blocked.status).toBe(429);
    await signedIn('alice', undefined, '198.51.100.67');
  });

  it('personal API tokens: shown once, stored hashed, listed without the secret, revocable', async () => {
    const alice = await signedIn('alice');
    const created = await alice.request<{ id: number; token: string }>('POST', '/api/tokens', { name: 'deploy script' });
    expect(created.status).toBe(201);
    const { token, id } = created.json;
    expect(token).toMatch(/^dais_/);
    const stored = await stack.database.query<{ hash: string }>(`select "tokenHash" as hash from "ApiToken" where id = ${id}`);
    expect(stored[0]?.hash).not.toContain(token);
    expect(JSON.stringify((await alice.request('GET', '/api/tokens')).json)).not.toContain(token);
    expect((await stack.api('GET', '/api/auth/me', undefined, token)).status).toBe(200);
    // Tokens need no CSRF header: they are not sent by browsers on their own.
    expect((await stack.api('POST', '/api/tokens', { name: 'from a script' }, token)).status).toBe(201);
    // Bob cannot revoke alice's token.
    const bob = await signedIn('bob');
    expect((await bob.request('DELETE', `/api/tokens/${id}`)).status).toBe(404);
    expect((await alice.request('DELETE', `/api/tokens/${id}`)).status).toBe(204);
    expect((await stack.api('GET', '/api/auth/me', undefined, token)).status).toBe(401);
    expect((await alice.request('DELETE', `/api/tokens/${id}`)).status).toBe(404);
  });

  it('user administration is for admins; a disabled user is signed out everywhere', async () => {
    const alice = await signedIn('alice');
    const refused = await alice.request<ErrorBody>('POST', '/api/users', {
      username: 'mallory',
      role: 'admin',
      password: 'mallory password 1',
    });
    expect(refused.status).toBe(403);
    expect((await alice.request('GET', '/api/users')).status).toBe(403);
    expect((await alice.request('PATCH', `/api/users/${ids.alice}`, { role: 'admin' })).status).toBe(403);
    expect(await stack.database.query(`select 1 from "User" where username = 'mallory'`)).toHaveLength(0);

    const bob = await signedIn('bob');
    const bobToken = (await bob.request<{ token: string }>('POST', '/api/tokens', { name: 'cron' })).json.token;
    expect((await stack.api('PATCH', `/api/users/${ids.bob}`, { disabled: true })).status).toBe(200);
    expect((await bob.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await stack.api('GET', '/api/auth/me', undefined, bobToken)).status).toBe(401);
    expect((await browser().login('bob', 'bob long password 1')).status).toBe(401);
    expect((await stack.api('PATCH', `/api/users/${ids.bob}`, { disabled: false })).status).toBe(200);
    expect((await browser().login('bob', 'bob long password 1')).status).toBe(200);

    const duplicate = await stack.api<ErrorBody>('POST', '/api/users', { username: 'alice' });
    expect(duplicate.status).toBe(409);
    const badName = await stack.api<ErrorBody>('POST', '/api/users', { username: 'Robert"); DROP TABLE "User";--' });
    expect(badName.status).toBe(400);
    expect(badName.json.error.details?.issues?.[0]?.path).toBe('username');
  });

  it('an admin cannot demote or disable themselves, so the platform always keeps an admin', async () => {
    const admins = await stack.database.query<{ id: number }>(`select id from "User" where role = 'admin'`);
    expect(admins).toHaveLength(1);
    const demote = await stack.api<ErrorBody>('PATCH', `/api/users/${admins[0]!.id}`, { role: 'user' });
    expect(demote.status).toBe(403);
    expect(demote.json.error.message).toContain('another admin');
    const disable = await stack.api<ErrorBody>('PATCH', `/api/users/${admins[0]!.id}`, { disabled: true });
    expect(disable.status).toBe(403);
  });

  it('an operator resets a lost password from the command line: printed once, every session ends', async () => {
    const before = await signedIn('alice');
    const admin = (...args: string[]) =>
      run(process.execPath, [join(REPO_ROOT, 'apps/manager/dist/cli/admin.js'), ...args], { env: { ...process.env, ...stack.env } });
    const { stdout } = await admin('reset-password', '--username', 'alice');
    const password = /with the password (\S+) /.exec(stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((await before.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await browser().login('alice', 'alice long password 1')).status).toBe(401);
    await signedIn('alice', password);
    // Back to the password the other cases use.
    expect((await stack.api('PATCH', `/api/users/${ids.alice}`, { password: 'alice long password 1' })).status).toBe(200);
    await expect(admin('reset-password', '--username', 'nobody')).rejects.toMatchObject({
      stderr: expect.stringContaining('there is no user "nobody"'),
    });
  });

  it('a browser session authenticates Socket.IO by its cookie, and signing out ends its live connection', async () => {
    const alice = await signedIn('alice');
    const cookie = alice.cookieHeader;
    const open = (headers: Record<string, string>) =>
      new Promise<{ socket: Socket; outcome: string }>((resolve) => {
        const socket = io(baseUrl, { transports: ['websocket'], extraHeaders: headers, reconnection: false });
        socket.once('connect', () => resolve({ socket, outcome: 'connected' }));
        socket.once('connect_error', (error) => resolve({ socket, outcome: error.message }));
      });
    const live = await open({ cookie, origin: baseUrl });
    expect(live.outcome).toBe('connected');
    const ended = new Promise<unknown>((resolve) => live.socket.once('session:ended', resolve));
    const disconnected = new Promise<string>((resolve) => live.socket.once('disconnect', resolve));
    await alice.request('POST', '/api/auth/logout');
    expect(await ended).toMatchObject({ reason: expect.stringContaining('sign in again') });
    expect(await disconnected).toBe('io server disconnect');
    const again = await open({ cookie, origin: baseUrl });
    expect(again.outcome).toContain('Sign in');
    again.socket.close();

    // A script's socket ends when its token is revoked; another of the user's sockets stays.
    const bob = await signedIn('bob');
    const created = await bob.request<{ id: number; token: string }>('POST', '/api/tokens', { name: 'live' });
    const byToken = io(baseUrl, { transports: ['websocket'], auth: { token: created.json.token }, reconnection: false });
    await new Promise<void>((resolve) => byToken.once('connect', () => resolve()));
    const byCookie = (await open({ cookie: bob.cookieHeader, origin: baseUrl })).socket;
    const tokenGone = new Promise<string>((resolve) => byToken.once('disconnect', resolve));
    await bob.request('DELETE', `/api/tokens/${created.json.id}`);
    expect(await tokenGone).toBe('io server disconnect');
    // A round trip on the cookie's socket after the revocation: the server still answers it.
    expect(await byCookie.timeout(10_000).emitWithAck(SOCKET_EVENTS.unsubscribeSite, { siteId: 1 })).toEqual({ ok: true });
    expect(byCookie.connected).toBe(true);
    byCookie.close();
  });

  it('the audit log records sign-ins, failures and account changes; only admins see account events', async () => {
    const all = await stack.api<AuditBody>('GET', '/api/audit?limit=200');
    const actions = new Set(all.json.events.map((event) => event.action));
    for (const action of [
      'auth.login',
      'auth.login.failed',
      'auth.logout',
      'auth.password.change',
      'token.create',
      'token.revoke',
      'user.create',
      'user.update',
    ]) {
      expect(actions, action).toContain(action);
    }
    const failure = all.json.events.find((event) => event.action === 'auth.login.failed' && event.actor === 'erin');
    expect(failure?.ip).toMatch(/^192\.0\.2\./);
    const alice = await signedIn('alice');
    const own = await alice.request<AuditBody>('GET', '/api/audit');
    expect(own.status).toBe(200);
    expect(own.json.events.filter((event) => event.siteName === null && event.actor !== 'alice')).toEqual([]);
    expect(own.json.events).toContainEqual(expect.objectContaining({ action: 'token.create', actor: 'alice' }));
  });
});
