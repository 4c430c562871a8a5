import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiModule } from '../apps/manager/src/api.module';
import { routesOf } from '../apps/manager/src/http/route-table';
import { WEB_APP_ROUTES } from '../apps/manager/src/http/web-app/web-app.controller';
import { allows, API_CASES, methodOf, type ApiCase, type CaseContext, type Role } from './support/api-cases';
import { BrowserSession } from './support/browser-session';
import { requestStateOf } from './support/database-state';
import { addVerifiedDomain } from './support/domains';
import { TestStack, type ApiAnswer } from './support/stack';
import { tempDir } from './support/temp-dir';

const run = promisify(execFile);

/** Served files rather than API operations; the other tests cover them. */
const NOT_IN_MATRIX = new Set(['GET /healthz', 'GET /api/docs/{file}', ...WEB_APP_ROUTES]);

/** Someone's site with everything a site can have: a domain, a second member, a finished operation. */
interface SiteFixture {
  site: SiteView;
  domainId: number;
  operationId: number;
}

describe('permission matrix: anonymous, outsider, member and admin on every route', () => {
  let stack: TestStack;
  let keys: Awaited<ReturnType<typeof tempDir>>;
  const ids: Record<string, number> = {};
  const aliceThings = { tokenId: 0, sshKeyId: 0 };
  let forMember: SiteFixture;
  let forAdmin: SiteFixture;
  let outsiderToken: string;
  let alice: BrowserSession;

  async function newPublicKey(): Promise<string> {
    const path = join(keys.path, `key-${Math.random().toString(36).slice(2)}`);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
    return (await readFile(`${path}.pub`, 'utf8')).trim();
  }

  async function finished(id: number): Promise<OperationView> {
    const operation = await stack.waitForOperation<OperationView>(id);
    expect(operation.state, JSON.stringify(operation)).toBe('succeeded');
    return operation;
  }

  /** A dynamic site (so stop/start/restart apply) whose members are alice and bob, with a domain. */
  async function siteFixture(name: string): Promise<SiteFixture> {
    const created = await stack.api<SiteView>('POST', '/api/sites', { name, type: 'dynamic', image: 'busybox' });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    await finished(created.json.operation!.id);
    for (const username of ['alice', 'bob'])
      expect((await stack.api('POST', `/api/sites/${created.json.id}/members`, { username })).status).toBe(201);
    const domain = await addVerifiedDomain(stack, created.json.id, `${name}.example.org`);
    const operation = await finished(domain.operation.id);
    return { site: created.json, domainId: domain.domain.id, operationId: operation.id };
  }

  /** Calls the API as a role: nobody, the outsider's token, alice's browser session, the admin's token. */
  function caller(role: Role): (method: string, path: string, body?: unknown) => Promise<ApiAnswer> {
    switch (role) {
      case 'anonymous':
        return (method, path, body) => stack.api(method, path, body, null);
      case 'outsider':
        return (method, path, body) => stack.api(method, path, body, outsiderToken);
      case 'member':
        return (method, path, body) => alice.request(method, path, body);
      case 'admin':
        return (method, path, body) => stack.api(method, path, body);
    }
  }

  /** Everything of alice's and of her site that nobody else may change. */
  async function snapshotOf(siteId: number): Promise<string> {
    const rows = await Promise.all([
      stack.database.query('select id, name, description, "updatedAt", state, availability from "Site" where id = $1', [siteId]),
      stack.database.query(`select ${requestStateOf('Domain')} as domain from "Domain" t where "siteId" = $1 order by id`, [siteId]),
      stack.database.query('select * from "SiteMember" where "siteId" = $1 order by "userId"', [siteId]),
      stack.database.query('select * from "SiteDatabase" where "siteId" = $1', [siteId]),
      stack.database.query('select id, state from "Operation" where "siteId" = $1 order by id', [siteId]),
      stack.database.query('select id, "revokedAt" from "ApiToken" where "userId" = $1 order by id', [ids.alice]),
      stack.database.query('select id, fingerprint from "SshKey" where "userId" = $1 order by id', [ids.alice]),
      stack.database.query('select id, role, disabled, "passwordHash" from "User" where id in ($1, $2) order by id', [ids.alice, ids.bob]),
    ]);
    return JSON.stringify(rows);
  }

  /** Sends a case as a role; waits for any operation it started, so the next case does not find the site busy. */
  async function send(apiCase: ApiCase, context: CaseContext): Promise<ApiAnswer> {
    const { path, body } = apiCase.request(context);
    const answer = await caller(context.role)(methodOf(apiCase), path, body);
    const json = answer.json as { id?: number; kind?: string; operation?: { id: number } } | null;
    const operationId = json?.operation?.id ?? (json?.kind ? json.id : undefined);
    if (answer.status < 300 && operationId !== undefined) await finished(operationId);
    return answer;
  }

  beforeAll(async () => {
    keys = await tempDir('matrix-keys');
    stack = await TestStack.start('matrix');
    for (const username of ['alice', 'bob', 'olga', 'carol']) {
      const created = await stack.api<{ id: number }>('POST', '/api/users', {
        username,
        password: `${username} long password 1`,
        email: `${username}@matrix.example`,
      });
      ids[username] = created.json.id;
    }
    alice = new BrowserSession(`http://127.0.0.1:${stack.ports.manager}`);
    expect((await alice.login('alice', 'alice long password 1')).status).toBe(200);
    aliceThings.tokenId = (await alice.request<{ id: number }>('POST', '/api/tokens', { name: 'alice script' })).json.id;
    aliceThings.sshKeyId = (
      await alice.request<{ id: number }>('POST', '/api/ssh-keys', { name: 'laptop', publicKey: await newPublicKey() })
    ).json.id;
    const olga = new BrowserSession(`http://127.0.0.1:${stack.ports.manager}`);
    await olga.login('olga', 'olga long password 1');
    outsiderToken = (await olga.request<{ token: string }>('POST', '/api/tokens', { name: 'olga script' })).json.token;
    [forMember, forAdmin] = [await siteFixture('alices'), await siteFixture('bosses')];
  });

  afterAll(async () => {
    await stack.stop();
    await keys.remove();
  });

  /** The context of a run: the outsider and anonymous aim at alice's things; alice and the admin at their fixture. */
  async function contextFor(role: Role, fixture: SiteFixture, password: string): Promise<CaseContext> {
    const aimsAtAlice = role === 'anonymous' || role === 'outsider';
    return {
      role,
      siteId: fixture.site.id,
      siteName: fixture.site.name,
      domainId: fixture.domainId,
      memberUserId: ids.bob!,
      operationId: fixture.operationId,
      tokenId: aliceThings.tokenId,
      sshKeyId: aliceThings.sshKeyId,
      userId: aimsAtAlice || role === 'member' ? ids.bob! : ids.carol!,
      newPublicKey: await newPublicKey(),
      password,
      addableUsername: 'carol',
      addableEmail: 'carol@matrix.example',
    };
  }

  it('has a case for every route the manager serves', () => {
    const served = routesOf(ApiModule)
      .map((route) => `${route.method} ${route.path}`)
      .filter((route) => !NOT_IN_MATRIX.has(route));
    expect(new Set(API_CASES.map((apiCase) => apiCase.route))).toEqual(new Set(served));
  });

  /**
   * Anonymous callers are turned away at the door, before any service: the door's answer for every
   * route is http/route-access.spec.ts's (a unit test). Here, one route of each kind of door through
   * real HTTP, and the changes among them must change nothing.
   */
  const ANONYMOUS_SAMPLE = new Set([
    'GET /api/auth/providers',
    'GET /api/auth/me',
    'POST /api/tokens',
    'GET /api/users',
    'PATCH /api/sites/{id}',
    'DELETE /api/sites/{id}',
    'POST /api/sites/{id}/files/write',
    'POST /shell-server/sessions',
    'GET /health',
  ]);

  for (const [role, cases] of [
    ['anonymous', API_CASES.filter((apiCase) => ANONYMOUS_SAMPLE.has(apiCase.route))],
    ['outsider', API_CASES],
  ] as const) {
    it(`${role}: ${role === 'anonymous' ? 'a route of each kind' : 'every route'} refuses what is not theirs, and nothing of alice's changes`, async () => {
      expect(cases.length).toBeGreaterThan(0);
      const before = await snapshotOf(forMember.site.id);
      const context = await contextFor(role, forMember, 'olga long password 1');
      const wrong: string[] = [];
      for (const apiCase of cases) {
        const answer = await send(apiCase, context);
        if (!allows(apiCase.expect[role], answer.status))
          wrong.push(`${apiCase.route}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 200)}`);
      }
      expect(wrong).toEqual([]);
      expect(await snapshotOf(forMember.site.id)).toBe(before);
      // And the site still serves, its domain too.
      expect((await stack.api<SiteView>('GET', `/api/sites/${forMember.site.id}`)).json.state).toBe('active');
    });
  }

  it('the outsider never sees alice, her site or its events in any list', async () => {
    const asOutsider = caller('outsider');
    const sites = await asOutsider('GET', '/api/sites?limit=200');
    expect(JSON.stringify(sites.json)).not.toContain('alices');
    const audit = await asOutsider('GET', `/api/audit?siteId=${forMember.site.id}`);
    expect(audit.json).toMatchObject({ events: [] });
    const everything = await asOutsider('GET', '/api/audit?limit=200');
    expect(JSON.stringify(everything.json)).not.toMatch(/alices|"actor":"alice"/);
    const keysAnswer = await asOutsider('GET', '/api/ssh-keys');
    expect((keysAnswer.json as { keys: { id: number }[] }).keys.map((key) => key.id)).not.toContain(aliceThings.sshKeyId);
    const tokens = await asOutsider('GET', '/api/tokens');
    expect((tokens.json as { tokens: { id: number }[] }).tokens.map((token) => token.id)).not.toContain(aliceThings.tokenId);
  });

  for (const [role, fixture] of [
    ['member', () => forMember],
    ['admin', () => forAdmin],
  ] as const) {
    it(`${role}: every route does what it should`, async () => {
      const context = await contextFor(role, fixture(), 'alice long password 1');
      const wrong: string[] = [];
      for (const apiCase of API_CASES) {
        const answer = await send(apiCase, context);
        if (!allows(apiCase.expect[role], answer.status))
          wrong.push(`${apiCase.route}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`);
        else if (answer.status < 300) apiCase.remember?.(context, answer.json);
      }
      expect(wrong).toEqual([]);
    });
  }
});
