import { describe, expect, it, vi } from 'vitest';
import { fakeReply, fakeRequest } from '../../testing/http/fake-http';
import { bodyTable, expectPathIdChecked } from '../../testing/http/input-tables';
import { refusalOf } from '../../testing/http/refusal';
import { strictFake } from '../../testing/http/strict-fake';
import { MEMBER, MEMBER_WITH_SESSION } from '../../testing/http/users';
import { AuthController, TokensController } from './auth.controller';
import type { AuthService } from './auth.service';
import { CSRF_COOKIE, SESSION_COOKIE } from './session-cookie';
import type { UserRepository } from './user.repository';

const DASHBOARD = 'https://dais.example.org';
const USER_ROW = {
  id: 11,
  username: 'alice',
  displayName: 'Alice',
  email: null,
  role: 'user',
  disabled: false,
  passwordHash: 'hash',
  oidcSubject: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
};
const SESSION = { token: 's'.repeat(40), csrfToken: 'csrf', expiresAt: new Date('2030-01-01T00:00:00Z') };
const SIGN_IN = { username: 'alice', password: 'alice long password 1' };
const JSON_FROM_DASHBOARD = { 'content-type': 'application/json', origin: DASHBOARD, 'user-agent': 'test' };

function authWith(arranged: Partial<AuthService>): AuthService {
  return strictFake<AuthService>('AuthService', { secureCookies: true, dashboardOrigins: new Set([DASHBOARD]), ...arranged });
}

describe('AuthController', () => {
  describe('login', () => {
    it('signs in with the checked credentials, sets both cookies and answers the user and CSRF token', async () => {
      const login = vi.fn().mockResolvedValue({ user: USER_ROW, session: SESSION });
      const { request } = fakeRequest({ headers: JSON_FROM_DASHBOARD });
      const { reply, recorded } = fakeReply();
      const answer = await new AuthController(authWith({ login })).login(SIGN_IN, request, reply);
      expect(answer).toEqual({
        user: expect.objectContaining({ id: 11, username: 'alice', hasPassword: true, sso: false }),
        csrfToken: 'csrf',
      });
      expect(answer.user).not.toHaveProperty('passwordHash');
      expect(login).toHaveBeenCalledWith('alice', 'alice long password 1', { ip: '192.0.2.11', userAgent: 'test' });
      expect(Object.keys(recorded.cookies).sort()).toEqual([CSRF_COOKIE, SESSION_COOKIE].sort());
    });

    it.each([
      ['another site’s page', { 'content-type': 'application/json', origin: 'https://evil.example' }, 'CSRF_FAILED'],
      ['a sandboxed page (Origin: null)', { 'content-type': 'application/json', origin: 'null' }, 'CSRF_FAILED'],
      ['a form post', { 'content-type': 'application/x-www-form-urlencoded', origin: DASHBOARD }, 'UNSUPPORTED_MEDIA_TYPE'],
      ['a text/plain post', { 'content-type': 'text/plain' }, 'UNSUPPORTED_MEDIA_TYPE'],
      ['no content type', {}, 'UNSUPPORTED_MEDIA_TYPE'],
    ])('refuses a sign-in from %s before checking any password', async (_what, headers, code) => {
      const { request } = fakeRequest({ headers });
      const refusal = await refusalOf(() => new AuthController(authWith({})).login(SIGN_IN, request, fakeReply().reply));
      expect(refusal.code).toBe(code);
    });

    it('accepts a script’s JSON sign-in without Origin, and checks the body', async () => {
      const login = vi.fn().mockResolvedValue({ user: USER_ROW, session: SESSION });
      const controller = new AuthController(authWith({ login }));
      const send = (body: unknown) =>
        controller.login(body, fakeRequest({ headers: { 'content-type': 'application/json; charset=utf-8' } }).request, fakeReply().reply);
      expect(await bodyTable(SIGN_IN, send, login)).toMatchSnapshot();
    });
  });

  it('logout ends the session the cookie names and clears both cookies', async () => {
    const logout = vi.fn().mockResolvedValue(undefined);
    const { request } = fakeRequest({ cookies: { [SESSION_COOKIE]: SESSION.token } });
    const { reply, recorded } = fakeReply();
    await new AuthController(authWith({ logout })).logout(MEMBER_WITH_SESSION, request, reply);
    expect(logout).toHaveBeenCalledWith(MEMBER_WITH_SESSION, SESSION.token);
    expect(recorded.cleared.sort()).toEqual([CSRF_COOKIE, SESSION_COOKIE].sort());
  });

  it('me answers the user and the session’s CSRF token (null for an API token)', async () => {
    const me = vi.fn().mockResolvedValue({ id: 11 });
    const controller = new AuthController(authWith({ me }));
    expect(await controller.me(MEMBER_WITH_SESSION)).toEqual({ user: { id: 11 }, csrfToken: 'csrf-of-alice' });
    expect(await controller.me(MEMBER)).toEqual({ user: { id: 11 }, csrfToken: null });
  });

  it('changes the e-mail address from a checked body', async () => {
    const updateAccount = vi.fn().mockResolvedValue({ id: 11 });
    const controller = new AuthController(authWith({ updateAccount }));
    expect(await controller.updateMe(MEMBER, { email: null })).toEqual({ id: 11 });
    expect(updateAccount).toHaveBeenCalledWith(MEMBER, null);
    expect(await bodyTable({ email: 'alice@example.org' }, (body) => controller.updateMe(MEMBER, body), updateAccount)).toMatchSnapshot();
  });

  it('changes the password from a checked body', async () => {
    const changePassword = vi.fn().mockResolvedValue(undefined);
    const controller = new AuthController(authWith({ changePassword }));
    const valid = { currentPassword: 'alice long password 1', newPassword: 'an entirely new secret', endOtherSessions: false };
    await expect(controller.changePassword(MEMBER, valid)).resolves.toBeUndefined();
    expect(changePassword).toHaveBeenCalledWith(MEMBER, valid);
    expect(await bodyTable(valid, (body) => controller.changePassword(MEMBER, body), changePassword)).toMatchSnapshot();
    const same = { currentPassword: 'an entirely new secret', newPassword: 'an entirely new secret' };
    expect((await refusalOf(() => controller.changePassword(MEMBER, same))).code).toBe('VALIDATION_FAILED');
  });
});

describe('TokensController', () => {
  const controllerWith = (auth: Partial<AuthService>, users: Partial<UserRepository> = {}) =>
    new TokensController(authWith(auth), strictFake<UserRepository>('UserRepository', users));

  it('lists the caller’s live tokens, never the token itself', async () => {
    const listTokens = vi.fn().mockResolvedValue([
      { id: 2, name: 'ci', tokenHash: 'secret', createdAt: new Date('2026-01-01T00:00:00Z'), lastUsedAt: null },
      {
        id: 3,
        name: 'cron',
        tokenHash: 'secret',
        createdAt: new Date('2026-01-01T00:00:00Z'),
        lastUsedAt: new Date('2026-02-01T00:00:00Z'),
      },
    ]);
    expect(await controllerWith({}, { listTokens }).list(MEMBER)).toEqual({
      tokens: [
        { id: 2, name: 'ci', createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null },
        { id: 3, name: 'cron', createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: '2026-02-01T00:00:00.000Z' },
      ],
    });
    expect(listTokens).toHaveBeenCalledWith(MEMBER.id);
  });

  it('creates a token named by a checked body', async () => {
    const createToken = vi.fn().mockResolvedValue({ id: 4 });
    const controller = controllerWith({ createToken });
    expect(await controller.create(MEMBER, { name: 'ci' })).toEqual({ id: 4 });
    expect(createToken).toHaveBeenCalledWith(MEMBER, 'ci');
    expect(await bodyTable({ name: 'ci' }, (body) => controller.create(MEMBER, body), createToken)).toMatchSnapshot();
  });

  it('revokes a token by id', async () => {
    const revokeToken = vi.fn().mockResolvedValue(undefined);
    const controller = controllerWith({ revokeToken });
    await expect(controller.revoke(MEMBER, { id: '4' })).resolves.toBeUndefined();
    expect(revokeToken).toHaveBeenCalledWith(MEMBER, 4);
    await expectPathIdChecked((id) => controller.revoke(MEMBER, { id }), revokeToken);
  });
});
