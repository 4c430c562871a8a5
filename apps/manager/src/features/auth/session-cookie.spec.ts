import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { clearSessionCookies, sessionTokenFromHeader, sessionTokenOf, setSessionCookies } from './session-cookie';

async function cookiesSetWith(secure: boolean, clear = false): Promise<string[]> {
  const app = Fastify();
  await app.register(fastifyCookie);
  app.get('/', (_request, reply) => {
    if (clear) clearSessionCookies(reply, secure);
    else
      setSessionCookies(reply, { token: 't'.repeat(43), csrfToken: 'c'.repeat(32), expiresAt: new Date(Date.now() + 3_600_000) }, secure);
    return 'ok';
  });
  const answer = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  const header = answer.headers['set-cookie'];
  return Array.isArray(header) ? header : [header ?? ''];
}

describe('session cookies', () => {
  it('are Secure when the manager is served over https, and never otherwise', async () => {
    for (const line of await cookiesSetWith(true)) expect(line).toMatch(/; Secure/);
    for (const line of await cookiesSetWith(false)) expect(line).not.toMatch(/Secure/);
  });

  it('keep the session token HttpOnly and SameSite=Lax; the CSRF copy is readable by the page', async () => {
    const [session, csrf] = await cookiesSetWith(true);
    expect(session).toMatch(/^dais_session=t{43};/);
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(csrf).toMatch(/^dais_csrf=/);
    expect(csrf).not.toMatch(/HttpOnly/);
  });

  it('clearing expires both cookies', async () => {
    const lines = await cookiesSetWith(true, true);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('reads only well-formed tokens from requests and raw Cookie headers', () => {
    const token = 'A'.repeat(43);
    expect(sessionTokenFromHeader(`theme=dark; dais_session=${token}`)).toBe(token);
    expect(sessionTokenFromHeader('dais_session=short')).toBeUndefined();
    expect(sessionTokenFromHeader("dais_session=' OR 1=1 --aaaaaaaaaaaaaaaaaaaaaaa")).toBeUndefined();
    expect(sessionTokenFromHeader(undefined)).toBeUndefined();
    expect(sessionTokenOf({ cookies: { dais_session: token } } as never)).toBe(token);
    expect(sessionTokenOf({ cookies: { dais_session: '../../etc/passwd' } } as never)).toBeUndefined();
  });
});
