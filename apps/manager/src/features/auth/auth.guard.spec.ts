import type { Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DaisError } from '@dais/shared';
import { describe, expect, it, vi } from 'vitest';
import { httpContext } from '../../testing/http/execution-context';
import { fakeReply } from '../../testing/http/fake-http';
import { strictFake } from '../../testing/http/strict-fake';
import { MEMBER, MEMBER_WITH_SESSION } from '../../testing/http/users';
import { AuthGuard, bearerToken } from './auth.guard';
import type { AuthService } from './auth.service';
import type { AuthenticatedUser } from './authenticated-user';
import { CSRF_COOKIE, SESSION_COOKIE } from './session-cookie';

const DASHBOARD = 'https://dais.example.org';
const SESSION_TOKEN = 's'.repeat(40);
/** A route handler as a guard sees it: a function with metadata, never called. */
const route = (): void => undefined;
/** The controller it belongs to (the guard reads its metadata too). */
const Routes = function Routes(): void {} as unknown as Type;

function guardWith(sessionUser: AuthenticatedUser | null) {
  const auth = strictFake<AuthService>('AuthService', {
    userFromToken: vi.fn((token: string) => Promise.resolve(token === 'dais_good' ? MEMBER : null)),
    userFromSession: vi.fn((token: string) => Promise.resolve(token === SESSION_TOKEN ? sessionUser : null)),
    dashboardOrigins: new Set([DASHBOARD]),
    secureCookies: true,
  });
  return new AuthGuard(auth, new Reflector());
}

/** What the guard does with a request: `in`, or the refusal's code; and the user and cookies it set. */
async function attempt(guard: AuthGuard, method: string, headers: Record<string, string>, cookies: Record<string, string> = {}) {
  const request: {
    method: string;
    headers: Record<string, string>;
    cookies: Record<string, string>;
    ip: string;
    user?: AuthenticatedUser;
  } = {
    method,
    headers,
    cookies,
    ip: '192.0.2.11',
  };
  const { reply, recorded } = fakeReply();
  try {
    await guard.canActivate(httpContext(Routes, route, request, reply));
    return { outcome: 'in', user: request.user, recorded };
  } catch (error) {
    if (!(error instanceof DaisError)) throw error;
    return { outcome: error.code, user: request.user, recorded };
  }
}

describe('AuthGuard', () => {
  const withSession = { [SESSION_COOKIE]: SESSION_TOKEN };
  const csrf = { 'x-csrf-token': 'csrf-of-alice' };

  it.each([
    ['no credentials', 'GET', {}, {}, 'UNAUTHENTICATED'],
    ['a revoked or unknown token', 'GET', { authorization: 'Bearer dais_bad' }, {}, 'UNAUTHENTICATED'],
    ['a malformed Authorization header', 'GET', { authorization: 'Basic dais_good' }, {}, 'UNAUTHENTICATED'],
    ['a valid token', 'POST', { authorization: 'Bearer dais_good' }, {}, 'in'],
    [
      'a valid token, from any page (scripts send no CSRF token)',
      'DELETE',
      { authorization: 'bearer dais_good', origin: 'https://evil.example' },
      {},
      'in',
    ],
    ['an unknown session', 'GET', {}, { [SESSION_COOKIE]: 't'.repeat(40) }, 'UNAUTHENTICATED'],
    ['a malformed session cookie', 'GET', {}, { [SESSION_COOKIE]: 'short' }, 'UNAUTHENTICATED'],
    ['a session reading', 'GET', {}, withSession, 'in'],
    ['a session reading from another site', 'GET', { origin: 'https://evil.example' }, withSession, 'in'],
    ['a session change without the CSRF token', 'POST', {}, withSession, 'CSRF_FAILED'],
    ['a session change with a wrong CSRF token', 'PATCH', { 'x-csrf-token': 'guess' }, withSession, 'CSRF_FAILED'],
    [
      'a session change with the CSRF token from another site',
      'POST',
      { ...csrf, origin: 'https://evil.example' },
      withSession,
      'CSRF_FAILED',
    ],
    ['a session change with the CSRF token from a sandboxed page', 'POST', { ...csrf, origin: 'null' }, withSession, 'CSRF_FAILED'],
    ['a session change with the CSRF token', 'DELETE', csrf, withSession, 'in'],
    ['a session change with the CSRF token from the dashboard', 'PUT', { ...csrf, origin: DASHBOARD }, withSession, 'in'],
  ])('%s: %s %j → %s', async (_what, method, headers, cookies, expected) => {
    const { outcome, user } = await attempt(guardWith(MEMBER_WITH_SESSION), method, headers, cookies);
    expect(outcome).toBe(expected);
    expect(user === undefined).toBe(expected !== 'in');
  });

  it('lets a route marked @Public through without asking who calls', async () => {
    const Open = function Open(): void {} as unknown as Type;
    const open = (): void => undefined;
    Reflect.defineMetadata('dais:public', true, open);
    const request = { method: 'POST', headers: {}, cookies: {}, ip: null };
    expect(await guardWith(null).canActivate(httpContext(Open, open, request))).toBe(true);
  });

  it('sends the cookies again when the session slid forward, and not otherwise', async () => {
    const extended = { ...MEMBER_WITH_SESSION, session: { ...MEMBER_WITH_SESSION.session!, extended: true } };
    const slid = await attempt(guardWith(extended), 'GET', {}, withSession);
    expect(Object.keys(slid.recorded.cookies).sort()).toEqual([CSRF_COOKIE, SESSION_COOKIE].sort());
    const still = await attempt(guardWith(MEMBER_WITH_SESSION), 'GET', {}, withSession);
    expect(still.recorded.cookies).toEqual({});
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer   abc  ', 'abc'],
    ['Bearer a b', null],
    ['Bearer', null],
    ['Basic abc', null],
    [undefined, null],
    [['Bearer abc'], null],
  ])('reads the bearer token of %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
