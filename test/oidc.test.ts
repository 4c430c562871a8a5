import type { UserView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium';
import { CookieBrowser, startForwarder, startOidcProvider, type TestOidcProvider } from './support/oidc-provider';
import { TestStack } from './support/stack';

type ErrorAnswer = { error: { code: string; message: string } };
type AuditAnswer = { events: { action: string; actor: string; details: Record<string, unknown> }[] };

describe('single sign-on with a real OpenID provider (oidc-provider on loopback)', () => {
  let stack: TestStack;
  let provider: TestOidcProvider;
  let forwarder: Awaited<ReturnType<typeof startForwarder>>;
  let publicUrl: string;

  beforeAll(async () => {
    forwarder = await startForwarder();
    publicUrl = `http://127.0.0.1:${forwarder.port}`;
    provider = await startOidcProvider({ redirectUri: `${publicUrl}/api/auth/oidc/callback` });
    provider.accounts.set('sub-alice', {
      sub: 'sub-alice',
      preferred_username: 'Alice.Liddell',
      email: 'Alice@Example.org',
      email_verified: true,
      name: 'Alice Liddell',
    });
    provider.accounts.set('sub-carol', { sub: 'sub-carol', email: 'carol@example.org' });
    stack = await TestStack.start('oidc', {
      env: {
        DAIS_PUBLIC_URL: publicUrl,
        DAIS_OIDC_ISSUER: provider.issuer,
        DAIS_OIDC_CLIENT_ID: provider.clientId,
        DAIS_OIDC_CLIENT_SECRET: provider.clientSecret,
        // The dashboard is opened at the public URL, so its live connection comes from there.
        DAIS_ALLOWED_ORIGINS: publicUrl,
      },
    });
    forwarder.target.port = stack.ports.manager;
  });

  afterAll(async () => {
    await stack.stop();
    await provider.stop();
    await forwarder.stop();
  });

  /** Starts a sign-in at the manager and signs in as `login` (or declines, for `decline`) at the provider; returns the callback URL the provider sent back. */
  async function throughProvider(browser: CookieBrowser, login: string): Promise<URL> {
    const start = await browser.request(`${publicUrl}/api/auth/oidc/login`);
    expect(start.status).toBe(302);
    const atProvider = new URL(start.headers.get('location') ?? '');
    expect(atProvider.origin).toBe(provider.issuer);
    expect(atProvider.searchParams.get('code_challenge_method')).toBe('S256');
    expect(atProvider.searchParams.get('nonce')).toBeTruthy();
    const interaction = await browser.followUntil(atProvider.href, (url) => url.pathname.startsWith('/interaction/'));
    const finished = await browser.request(`${interaction.href}/${login === 'decline' ? 'abort' : 'login'}`, {
      method: 'POST',
      form: { login },
    });
    expect(finished.status).toBe(303);
    return browser.followUntil(new URL(finished.headers.get('location') ?? '', interaction).href, (url) => url.origin === publicUrl);
  }

  /** Signs in end to end; returns the browser answer to the callback. */
  async function signIn(browser: CookieBrowser, login: string): Promise<Response> {
    const callback = await throughProvider(browser, login);
    return browser.request(callback.href);
  }

  const me = (browser: CookieBrowser) => browser.request(`${publicUrl}/api/auth/me`);
  const host = () => `127.0.0.1:${forwarder.port}`;

  it('says which sign-in methods exist', async () => {
    expect(await stack.api('GET', '/api/auth/providers', undefined, null)).toEqual({ status: 200, json: { password: true, oidc: true } });
  });

  it('a first sign-in creates the account and a session cookie that works on /api/auth/me', async () => {
    const browser = new CookieBrowser();
    const answer = await signIn(browser, 'sub-alice');
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/');
    expect(browser.cookie(host(), 'dais_session')).toBeTruthy();
    expect(browser.cookie(host(), 'dais_oidc_state')).toBeUndefined();

    const session = await me(browser);
    expect(session.status).toBe(200);
    const body = (await session.json()) as { user: UserView; csrfToken: string };
    expect(body.user).toMatchObject({
      username: 'alice-liddell',
      displayName: 'Alice Liddell',
      // The provider vouches for the address: it becomes the account's, for others to add her to sites by.
      email: 'alice@example.org',
      role: 'user',
      sso: true,
      hasPassword: false,
    });
    expect(body.csrfToken).toBe(browser.cookie(host(), 'dais_csrf'));

    const [row] = await stack.database.query<{ oidcSubject: string }>('select "oidcSubject" from "User" where username = $1', [
      'alice-liddell',
    ]);
    expect(row?.oidcSubject).toBe(`${provider.issuer}|sub-alice`);
    const audit = await stack.api<AuditAnswer>('GET', '/api/audit?limit=20');
    const actions = audit.json.events.filter((event) => event.actor === 'alice-liddell').map((event) => [event.action, event.details]);
    expect(actions).toContainEqual(['auth.login', { method: 'sso' }]);
    expect(actions).toContainEqual(['user.create', expect.objectContaining({ via: 'sso', username: 'alice-liddell' })]);
  });

  it('a second sign-in, in another browser, reuses the same account', async () => {
    const before = await stack.database.query<{ count: string }>('select count(*) from "User"');
    const browser = new CookieBrowser();
    expect((await signIn(browser, 'sub-alice')).status).toBe(302);
    const body = (await (await me(browser)).json()) as { user: UserView };
    const [first] = await stack.database.query<{ id: number }>('select id from "User" where username = $1', ['alice-liddell']);
    expect(body.user.id).toBe(first?.id);
    expect(await stack.database.query('select count(*) from "User"')).toEqual(before);
  });

  it('never takes over a local account with the same name: the newcomer gets a numbered one', async () => {
    const local = await stack.api<UserView>('POST', '/api/users', { username: 'carol', password: 'a long local password' });
    expect(local.status).toBe(201);
    const browser = new CookieBrowser();
    expect((await signIn(browser, 'sub-carol')).status).toBe(302);
    const body = (await (await me(browser)).json()) as { user: UserView };
    // An address the provider does not vouch for is not taken: it would let anyone claim anyone's.
    expect(body.user).toMatchObject({ username: 'carol2', sso: true, email: null });
    expect(body.user.id).not.toBe(local.json.id);
    const [carol] = await stack.database.query<{ oidcSubject: string | null }>('select "oidcSubject" from "User" where id = $1', [
      local.json.id,
    ]);
    expect(carol?.oidcSubject).toBeNull();
  });

  it('a tampered state, a callback from another browser, and a replayed callback are refused', async () => {
    const browser = new CookieBrowser();
    const callback = await throughProvider(browser, 'sub-alice');
    const tampered = new URL(callback);
    const state = tampered.searchParams.get('state') ?? '';
    tampered.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    const refused = await browser.request(tampered.href);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorAnswer).error.code).toBe('SSO_STATE_INVALID');
    expect(browser.cookie(host(), 'dais_session')).toBeUndefined();

    // A stranger's browser (no state cookie) cannot finish this sign-in either.
    const stranger = await new CookieBrowser().request(callback.href);
    expect(stranger.status).toBe(400);
    expect(((await stranger.json()) as ErrorAnswer).error.code).toBe('SSO_STATE_INVALID');

    // The state is single-use: once an answer came back for it, nothing more is accepted for it.
    const replay = new CookieBrowser();
    const second = await throughProvider(replay, 'sub-alice');
    expect((await replay.request(second.href)).status).toBe(302);
    const cookieState = second.searchParams.get('state') ?? '';
    const again = await fetch(second.href, { redirect: 'manual', headers: { cookie: `dais_oidc_state=${cookieState}` } });
    expect(again.status).toBe(400);
    expect(((await again.json()) as ErrorAnswer).error.code).toBe('SSO_STATE_INVALID');
  });

  it('a person who declines at the provider gets a clear error, not a session', async () => {
    const browser = new CookieBrowser();
    const callback = await throughProvider(browser, 'decline');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const answer = await browser.request(callback.href);
    expect(answer.status).toBe(401);
    const body = (await answer.json()) as ErrorAnswer;
    expect(body.error.code).toBe('SSO_FAILED');
    expect(body.error.message).toContain('access_denied');
    expect(browser.cookie(host(), 'dais_session')).toBeUndefined();
  });

  it('a browser that navigated to a refused callback goes back to the sign-in page with the code, not to JSON', async () => {
    const answer = await fetch(`${publicUrl}/api/auth/oidc/callback?code=x&state=y`, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
      redirect: 'manual',
    });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toMatch(/^\/sign-in\?sso_error=SSO_[A-Z_]+$/);
  });

  it('the dashboard signs a person in with the single sign-on button, in Chromium', async () => {
    const chromium = await launchChromium();
    try {
      const page = await chromium.newPage();
      await page.goto(`${publicUrl}/sites`);
      await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
      // The test provider's interaction page is JSON; a person would see a form that posts this.
      await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
      await page.evaluate(() => {
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = `${location.pathname}/login`;
        const login = document.createElement('input');
        login.name = 'login';
        login.value = 'sub-carol';
        form.append(login);
        document.body.append(form);
        form.submit();
      });
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/sites');
    } finally {
      await chromium.close();
    }
  });

  it('garbage in the callback query is a 400 or a refusal, never a 500', async () => {
    for (const query of ['', '?state=x', '?state=a&state=b', `?code=${'c'.repeat(5000)}`, '?error=server_error', '?%zz=1']) {
      const answer = await new CookieBrowser().request(`${publicUrl}/api/auth/oidc/callback${query}`);
      expect(answer.status, query).toBeGreaterThanOrEqual(400);
      expect(answer.status, query).toBeLessThan(500);
    }
  });

  it('a disabled account is refused', async () => {
    provider.accounts.set('sub-dave', { sub: 'sub-dave', preferred_username: 'dave' });
    const browser = new CookieBrowser();
    expect((await signIn(browser, 'sub-dave')).status).toBe(302);
    const { user } = (await (await me(browser)).json()) as { user: UserView };
    expect((await stack.api('PATCH', `/api/users/${user.id}`, { disabled: true })).status).toBe(200);
    expect((await me(browser)).status).toBe(401);

    const again = new CookieBrowser();
    const answer = await signIn(again, 'sub-dave');
    expect(answer.status).toBe(403);
    expect(((await answer.json()) as ErrorAnswer).error.message).toMatch(/disabled/);
    expect(again.cookie(host(), 'dais_session')).toBeUndefined();
  });

  it('a provider that went away makes the callback answer 503, not 500', async () => {
    const browser = new CookieBrowser();
    const callback = await throughProvider(browser, 'sub-alice');
    await provider.stop();
    const answer = await browser.request(callback.href);
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as ErrorAnswer).error.code).toBe('SSO_PROVIDER_UNAVAILABLE');
  });
});

describe('without single sign-on configured', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start('oidc-off');
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('the login and callback routes say so with a 404 and a code; providers says oidc: false', async () => {
    expect(await stack.api('GET', '/api/auth/providers', undefined, null)).toEqual({ status: 200, json: { password: true, oidc: false } });
    for (const path of ['/api/auth/oidc/login', '/api/auth/oidc/callback?code=x&state=y']) {
      const answer = await fetch(`http://127.0.0.1:${stack.ports.manager}${path}`, { redirect: 'manual' });
      expect(answer.status, path).toBe(404);
      expect(((await answer.json()) as ErrorAnswer).error.code, path).toBe('SSO_NOT_CONFIGURED');
    }
  });
});
