import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OIDC_LOGIN_TTL_SECONDS } from './oidc-login-states';

/**
 * Binds a sign-in to the browser that started it: the callback must come with the same state in
 * this cookie, so nobody can make a victim's browser finish a sign-in the attacker started.
 */
export const OIDC_STATE_COOKIE = 'dais_oidc_state';
/** Only the sign-in routes need it. */
const COOKIE_PATH = '/api/auth/oidc';
/** What openid-client's random states look like (base64url); anything else is not ours. */
export const STATE_FORMAT = /^[A-Za-z0-9_-]{20,200}$/;

/** SameSite=Lax: the provider's redirect back is a top-level GET, which Lax cookies go along with. */
export function setOidcStateCookie(reply: FastifyReply, state: string, secure: boolean): void {
  void reply.setCookie(OIDC_STATE_COOKIE, state, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: OIDC_LOGIN_TTL_SECONDS,
  });
}

export function clearOidcStateCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(OIDC_STATE_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure });
}

/** The state this browser started a sign-in with, if it carries a well-formed one. */
export function oidcStateOf(request: FastifyRequest): string | undefined {
  const value = (request.cookies as Record<string, string | undefined> | undefined)?.[OIDC_STATE_COOKIE];
  return value && STATE_FORMAT.test(value) ? value : undefined;
}
