import { DaisError } from '@dais/shared';
import { describe, expect, it, vi } from 'vitest';
import { fakeReply, fakeRequest } from '../../../testing/http/fake-http';
import { queryTable } from '../../../testing/http/input-tables';
import { refusalOf } from '../../../testing/http/refusal';
import { strictFake } from '../../../testing/http/strict-fake';
import type { AuthService } from '../auth.service';
import { SESSION_COOKIE } from '../session-cookie';
import { OIDC_STATE_COOKIE } from './oidc-state-cookie';
import { OidcController } from './oidc.controller';
import type { OidcService } from './oidc.service';

const STATE = 'a'.repeat(43);
const SESSION = { token: 's'.repeat(40), csrfToken: 'csrf', expiresAt: new Date('2030-01-01T00:00:00Z') };
const auth = strictFake<AuthService>('AuthService', { secureCookies: true });
const controllerWith = (sso: Partial<OidcService>) => new OidcController(strictFake<OidcService>('OidcService', sso), auth);

describe('OidcController', () => {
  it.each([true, false])('names the sign-in buttons (single sign-on %s)', (enabled) => {
    expect(controllerWith({ enabled }).providers()).toEqual({ password: true, oidc: enabled });
  });

  it('login sends the browser to the provider with its state in a cookie', async () => {
    const start = vi.fn().mockResolvedValue({ url: 'https://idp.example/authorize?x=1', state: STATE });
    const { reply, recorded } = fakeReply();
    expect(await controllerWith({ start }).login(reply)).toEqual({ url: 'https://idp.example/authorize?x=1', statusCode: 302 });
    expect(recorded.cookies[OIDC_STATE_COOKIE]?.value).toBe(STATE);
  });

  describe('callback', () => {
    const callback = (finish: OidcService['finish'], accept?: string, query: unknown = { state: STATE, code: 'c' }) => {
      const headers: Record<string, string> = { 'user-agent': 'browser', ...(accept ? { accept } : {}) };
      const { request } = fakeRequest({
        url: `/api/auth/oidc/callback?state=${STATE}&code=c`,
        headers,
        cookies: { [OIDC_STATE_COOKIE]: STATE },
      });
      const { reply, recorded } = fakeReply();
      return { answer: () => controllerWith({ finish }).callback(query, request, reply), recorded };
    };

    it('finishes the sign-in with the raw query, the cookie’s state and the client; sets the session; clears the state', async () => {
      const finish = vi.fn().mockResolvedValue({ session: SESSION });
      const { answer, recorded } = callback(finish);
      expect(await answer()).toBeUndefined();
      expect(finish).toHaveBeenCalledWith(
        { state: STATE, search: `?state=${STATE}&code=c`, cookieState: STATE },
        { ip: '192.0.2.11', userAgent: 'browser' },
      );
      expect(recorded.cookies[SESSION_COOKIE]?.value).toBe(SESSION.token);
      expect(recorded.cleared).toContain(OIDC_STATE_COOKIE);
    });

    it('sends a browser back to the sign-in page with the refusal’s code', async () => {
      const finish = vi.fn().mockRejectedValue(new DaisError('SSO_FAILED', 'no'));
      const { answer } = callback(finish, 'text/html,application/xhtml+xml');
      expect(await answer()).toEqual({ url: '/sign-in?sso_error=SSO_FAILED' });
    });

    it('gives a script the coded error itself', async () => {
      const finish = vi.fn().mockRejectedValue(new DaisError('SSO_FAILED', 'no'));
      expect((await refusalOf(callback(finish, 'application/json').answer)).code).toBe('SSO_FAILED');
    });

    it('lets an unexpected error through even to a browser (it is a 500, not a refusal)', async () => {
      const finish = vi.fn().mockRejectedValue(new Error('bug'));
      await expect(callback(finish, 'text/html').answer()).rejects.toThrow('bug');
    });

    it('checks the query before anything else', async () => {
      const finish = vi.fn().mockResolvedValue({ session: SESSION });
      const send = (query: unknown) => callback(finish, 'application/json', query).answer();
      expect(await queryTable(send, finish)).toMatchSnapshot();
      expect(await refusalOf(() => send({ state: 'x'.repeat(513) }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
});
