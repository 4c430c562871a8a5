import type { SiteMemberView, UserView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../support/browser-session';
import { signedFetch } from '../support/signed-fetch';
import { TestStack } from '../support/stack';

/**
 * Threats against signing in: another site making a person's browser sign in to an account the
 * attacker controls (login CSRF: a form posting to the login route, or a page's script from a foreign
 * origin); a stranger guessing a known person's password from many addresses, and in doing so
 * locking that person out; and a site member finding out which usernames exist through the
 * members API. Each is performed against the real manager (PostgreSQL, Redis) below.
 */

type ErrorBody = { error: { code: string; message: string; details?: { retryAfterMs?: number; retryAfterSeconds?: number } } };

/** One sign-in attempt as it arrived. */
interface Attempt {
  status: number;
  json: ErrorBody & { user?: UserView };
  retryAfter: string | null;
  setCookie: string[];
}

/** Short delays for the test: 500 ms doubling per failure, and at most 2 s for an address new to an account under attack. */
const BASE_DELAY_MS = 500;
const ACCOUNT_MAX_DELAY_MS = 2_000;

describe('sign-in: no login CSRF, slowed guessing without lock-out, no username discovery', () => {
  let stack: TestStack;
  let baseUrl: string;
  const ids: Record<string, number> = {};

  /** Signs in from an address (the test plays a trusted load balancer, so X-Forwarded-For is believed). */
  async function attempt(username: string, password: string, from: string, headers: Record<string, string> = {}): Promise<Attempt> {
    const response = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...headers },
      body: JSON.stringify({ username, password }),
    });
    return {
      status: response.status,
      json: (await response.json()) as Attempt['json'],
      retryAfter: response.headers.get('retry-after'),
      setCookie: response.headers.getSetCookie(),
    };
  }

  /** Tries until admitted, waiting each time exactly as long as the 429 says; returns the answer and how long it took. */
  async function whenAdmitted(username: string, password: string, from: string): Promise<{ answer: Attempt; waitedMs: number }> {
    const started = Date.now();
    for (;;) {
      const answer = await attempt(username, password, from);
      if (answer.status !== 429) return { answer, waitedMs: Date.now() - started };
      expect(answer.json.error.code).toBe('RATE_LIMITED');
      expect(Number(answer.retryAfter)).toBe(answer.json.error.details?.retryAfterSeconds);
      await new Promise((resolve) => setTimeout(resolve, answer.json.error.details?.retryAfterMs ?? 1_000));
    }
  }

  const sessionCount = async () => Number((await stack.database.query<{ n: string }>('select count(*) as n from "Session"'))[0]?.n);

  beforeAll(async () => {
    stack = await TestStack.start('sign-in', {
      env: {
        DAIS_TRUSTED_PROXIES: '127.0.0.1',
        DAIS_LOGIN_BASE_DELAY_MS: String(BASE_DELAY_MS),
        DAIS_LOGIN_ACCOUNT_MAX_DELAY_SECONDS: String(ACCOUNT_MAX_DELAY_MS / 1000),
      },
    });
    baseUrl = `http://127.0.0.1:${stack.ports.manager}`;
    for (const [username, email] of [
      ['olive', 'olive@example.org'],
      ['alice', 'alice@example.org'],
      ['bob', 'bob@example.org'],
      ['carol', null],
    ] as const) {
      const created = await stack.api<UserView>('POST', '/api/users', {
        username,
        password: `${username} long password 1`,
        ...(email ? { email } : {}),
      });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      ids[username] = created.json.id;
    }
  });

  afterAll(() => stack.stop());

  describe('login CSRF', () => {
    it('refuses a form-encoded, multipart or text/plain sign-in with 415, and opens no session', async () => {
      const before = await sessionCount();
      const form = new FormData();
      form.set('username', 'alice');
      form.set('password', 'alice long password 1');
      const bodies: { type?: string; body: string | FormData }[] = [
        { type: 'application/x-www-form-urlencoded', body: 'username=alice&password=alice+long+password+1' },
        { body: form },
        // What an HTML form with enctype="text/plain" sends: JSON-looking, needing no preflight.
        { type: 'text/plain', body: '{"username":"alice","password":"alice long password 1","x":"="}' },
      ];
      for (const { type, body } of bodies) {
        const response = await fetch(`${baseUrl}/api/auth/login`, {
          method: 'POST',
          headers: type ? { 'content-type': type } : {},
          body,
        });
        expect(response.status, type ?? 'multipart').toBe(415);
        expect(((await response.json()) as ErrorBody).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
        expect(response.headers.getSetCookie()).toEqual([]);
      }
      expect(await sessionCount()).toBe(before);
      // The same credentials as JSON sign in: only the form was refused.
      expect((await attempt('alice', 'alice long password 1', '192.0.2.1')).status).toBe(200);
    });

    it("refuses a sign-in from another site's page with 403 and opens no session; the dashboard's own origin signs in", async () => {
      const before = await sessionCount();
      for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${stack.ports.manager + 1}`]) {
        const refused = await attempt('alice', 'alice long password 1', '192.0.2.1', { origin });
        expect(refused.status, origin).toBe(403);
        expect(refused.json.error.code).toBe('CSRF_FAILED');
        expect(refused.setCookie).toEqual([]);
      }
      expect(await sessionCount()).toBe(before);
      expect((await attempt('alice', 'alice long password 1', '192.0.2.1', { origin: baseUrl })).status).toBe(200);
    });

    it("refuses a cookie request that changes something from another site's page, even with the CSRF token", async () => {
      const browser = new BrowserSession(baseUrl);
      expect((await browser.login('alice', 'alice long password 1')).status).toBe(200);
      const foreign = await browser.request<ErrorBody>(
        'POST',
        '/api/tokens',
        { name: 'x' },
        { headers: { origin: 'https://evil.example' } },
      );
      expect([foreign.status, foreign.json.error.code]).toEqual([403, 'CSRF_FAILED']);
      expect((await browser.request('POST', '/api/tokens', { name: 'x' }, { headers: { origin: baseUrl } })).status).toBe(201);
    });
  });

  describe('guessing', () => {
    it("slows a stranger's guesses exponentially, yet lets the owner in from their own address within the account's short cap", async () => {
      // One address guessing: five free tries, then each wait doubles.
      const stranger = '198.51.100.1';
      for (let guess = 0; guess < 5; guess += 1) expect((await attempt('olive', `guess ${guess}`, stranger)).status).toBe(401);
      const waits: number[] = [];
      for (let guess = 5; guess < 9; guess += 1) {
        const refused = await attempt('olive', `guess ${guess}`, stranger);
        expect(refused.status).toBe(429);
        waits.push(refused.json.error.details?.retryAfterMs ?? 0);
        expect((await whenAdmitted('olive', `guess ${guess}`, stranger)).answer.status).toBe(401);
      }
      for (let index = 1; index < waits.length; index += 1) expect(waits[index]).toBeGreaterThan(waits[index - 1]!);
      expect(waits[3]).toBeGreaterThan(4 * waits[0]!);
      // Right now, even the right password from that address waits (the limiter cannot tell who types it),
      // over SSH too: the shell's password sign-in goes through the same limiter.
      const slowed = await attempt('olive', 'olive long password 1', stranger);
      expect(slowed.status).toBe(429);
      expect(slowed.json.error.details?.retryAfterMs).toBeGreaterThan(1_000);
      const overSsh = await signedFetch(baseUrl, stack.signer('shell', 'manager'), 'POST', '/shell-server/auth/password', {
        body: { username: 'olive', password: 'olive long password 1', remoteAddress: stranger },
      });
      expect([overSsh.status, (overSsh.json as ErrorBody).error.code]).toEqual([429, 'RATE_LIMITED']);

      // Then from twenty other addresses, as a botnet would, each coming back as soon as it may:
      // every address new to the account waits its turn, longer and longer, up to the account's cap.
      const hammering = { on: true };
      let strangerFailures = 0;
      const hammer = (async () => {
        for (let round = 0; hammering.on; round += 1) {
          const answer = await attempt('olive', `botnet guess ${round}`, `198.51.100.${10 + (round % 20)}`);
          if (answer.status === 401) strangerFailures += 1;
          else expect(answer.status).toBe(429);
          await new Promise((resolve) => setTimeout(resolve, 10)); // an attacker's pace, not a wait on the server
        }
      })();
      try {
        await expect.poll(() => strangerFailures, { timeout: 20_000 }).toBeGreaterThan(5);
        const newcomer = await attempt('olive', 'another guess', '198.51.100.200');
        expect(newcomer.json.error.details?.retryAfterMs).toBe(ACCOUNT_MAX_DELAY_MS);
        // The owner, from an address that never failed, with the right password, while the hammering goes on.
        const owner = await whenAdmitted('olive', 'olive long password 1', '203.0.113.10');
        expect(owner.answer.status).toBe(200);
        expect(owner.waitedMs).toBeLessThan(ACCOUNT_MAX_DELAY_MS + 1_500);
      } finally {
        hammering.on = false;
        await hammer;
      }
    });
  });

  describe('which usernames exist is not told to members', () => {
    let path: string;
    let alice: BrowserSession;

    beforeAll(async () => {
      const site = await stack.createSite('team');
      await stack.waitForOperation(site.operation?.id ?? 0);
      path = `/api/sites/${site.id}/members`;
      expect((await stack.api('POST', path, { username: 'alice' })).status).toBe(201);
      alice = new BrowserSession(baseUrl);
      expect((await alice.login('alice', 'alice long password 1')).status).toBe(200);
    });

    it('adding an unknown e-mail address, an existing username or an unknown one gets the same refusal', async () => {
      const answers = [
        await alice.request<ErrorBody>('POST', path, { email: 'nobody@example.org' }),
        await alice.request<ErrorBody>('POST', path, { username: 'bob' }),
        await alice.request<ErrorBody>('POST', path, { username: 'nobody-here' }),
        await alice.request<ErrorBody>('POST', path, { username: 'carol' }),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(404);
        expect(answer.json).toEqual(answers[0]!.json);
        expect(JSON.stringify(answer.json)).not.toMatch(/bob|carol|nobody/);
      }
      expect(answers[0]!.json.error.code).toBe('USER_NOT_FOUND');
      const members = await alice.request<{ members: SiteMemberView[] }>('GET', path);
      expect(members.json.members.map((member) => member.username)).toEqual(['admin', 'alice']);
    });

    it("adds a person by the exact e-mail address of their account (any case), and never shows members' addresses", async () => {
      const added = await alice.request<SiteMemberView>('POST', path, { email: 'BOB@example.org' });
      expect(added.status).toBe(201);
      expect(added.json).toMatchObject({ userId: ids.bob, username: 'bob' });
      const listed = await alice.request('GET', path);
      expect(JSON.stringify(listed.json)).not.toContain('@');
      // Admins may name people by username, and are told plainly when there is nobody by that name.
      expect((await stack.api('POST', path, { username: 'carol' })).status).toBe(201);
      const unknown = await stack.api<ErrorBody>('POST', path, { username: 'nobody-here' });
      expect([unknown.status, unknown.json.error.message]).toEqual([404, expect.stringContaining('nobody-here')]);
    });

    it('e-mail addresses are unique whatever their case, set by their owner or an admin, and checked', async () => {
      const carol = new BrowserSession(baseUrl);
      expect((await carol.login('carol', 'carol long password 1')).status).toBe(200);
      const taken = await carol.request<ErrorBody>('PATCH', '/api/auth/me', { email: 'Alice@Example.ORG' });
      expect([taken.status, taken.json.error.code]).toEqual([409, 'EMAIL_TAKEN']);
      const invalid = await carol.request<ErrorBody>('PATCH', '/api/auth/me', { email: 'not an address' });
      expect([invalid.status, invalid.json.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const set = await carol.request<UserView>('PATCH', '/api/auth/me', { email: ' Carol@Example.org ' });
      expect([set.status, set.json.email]).toEqual([200, 'carol@example.org']);
      const duplicate = await stack.api<ErrorBody>('POST', '/api/users', { username: 'dup', email: 'CAROL@example.org' });
      expect([duplicate.status, duplicate.json.error.code]).toEqual([409, 'EMAIL_TAKEN']);
      const cleared = await stack.api<UserView>('PATCH', `/api/users/${ids.carol}`, { email: null });
      expect([cleared.status, cleared.json.email]).toEqual([200, null]);
    });
  });
});
