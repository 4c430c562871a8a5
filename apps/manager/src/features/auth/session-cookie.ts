import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NewSession } from './session.repository';

/** The HttpOnly cookie holding the session token. */
export const SESSION_COOKIE = 'dais_session';
/** A readable copy of the CSRF token, for pages that reload (the login answer carries it too). */
export const CSRF_COOKIE = 'dais_csrf';
/** Header a cookie-authenticated request must echo the CSRF token in, for every state-changing method. */
export const CSRF_HEADER = 'x-csrf-token';

/** Methods that change nothing, so need no CSRF token. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Sets the session cookies: HttpOnly, SameSite=Lax, Secure when the manager is served over HTTPS. */
export function setSessionCookies(reply: FastifyReply, session: NewSession, secure: boolean): void {
  const common = { path: '/', sameSite: 'lax' as const, secure, expires: session.expiresAt };
  void reply.setCookie(SESSION_COOKIE, session.token, { ...common, httpOnly: true });
  void reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
}

/** Clears both cookies. */
export function clearSessionCookies(reply: FastifyReply, secure: boolean): void {
  for (const name of [SESSION_COOKIE, CSRF_COOKIE]) void reply.clearCookie(name, { path: '/', secure, sameSite: 'lax' });
}

/** The session token a request carries, if any. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const value = (request.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
  return value && /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
}

/** Parses a raw Cookie header (for websocket handshakes, which bypass Fastify's cookie parsing). */
export function sessionTokenFromHeader(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const token = decodeURIComponent(value.join('='));
      return /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : undefined;
    }
  }
  return undefined;
}
