import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVerifiedDomain } from '../support/domains';
import { lenientSpellingsOf } from '../support/hostile-values';
import { signedFetch } from '../support/signed-fetch';
import { TestStack } from '../support/stack';
import { tempDir } from '../support/temp-dir';

/**
 * A numeric id in a URL has one spelling. The routes used to read their ids with `Number()`, which
 * takes " 7", "7 ", "+7", "07", "7.0", "7e0", "0x7", "0o7" and "0b111" for 7: `DELETE /api/tokens/%207`
 * revoked token 7, `DELETE /api/sites/%207` deleted site 7. Whatever matches on the path (a proxy or
 * balancer rule, a path allow-list, request logs, an audit of who touched `/api/sites/7`) saw another
 * path than the one acted on. Here every mutating route gets every other spelling of its real ids, as
 * the admin (who may do everything, so only the spelling can stop it); each must answer 400
 * VALIDATION_FAILED naming the parameter, and change nothing.
 */

const run = promisify(execFile);

/**
 * What a mutating route can change: its rows (without the columns background work updates) and the
 * newest operation and audit event (every change starts one or is audited, even a failed file action).
 */
const SNAPSHOT_SQL = `select concat_ws(' | ',
  (select max(id) from "AuditEvent"),
  (select max(id) from "Operation"),
  (select string_agg(concat_ws(',', id, name, description, type, availability, stopped, "memoryMb", "diskLimitMb"), ';' order by id) from "Site"),
  (select string_agg(concat_ws(',', id, "siteId", hostname, "verifiedAt"), ';' order by id) from "Domain"),
  (select string_agg(concat_ws(',', "siteId", "userId"), ';' order by "siteId", "userId") from "SiteMember"),
  (select string_agg(concat_ws(',', id, "siteId", deleting), ';' order by id) from "SiteDatabase"),
  (select string_agg(concat_ws(',', id, role, disabled, "passwordHash"), ';' order by id) from "User"),
  (select string_agg(concat_ws(',', id, "revokedAt"), ';' order by id) from "ApiToken"),
  (select string_agg(id::text, ';' order by id) from "SshKey")
) as state`;

/** The objects the routes act on. */
interface Fixture {
  site: SiteView;
  domainId: number;
  memberId: number;
  operationId: number;
  tokenId: number;
  sshKeyId: number;
  userId: number;
}

/** A mutating route: `:name` parts are ids, taken from the fixture; the body is a valid one. */
interface Mutation {
  method: string;
  path: string;
  ids(fixture: Fixture): Record<string, number>;
  body?(fixture: Fixture): { type: string; data: string | FormData };
}

const json = (value: unknown) => () => ({ type: 'application/json', data: JSON.stringify(value) });
const site = (fixture: Fixture) => ({ id: fixture.site.id });

const MUTATIONS: readonly Mutation[] = [
  { method: 'DELETE', path: '/api/tokens/:id', ids: (f) => ({ id: f.tokenId }) },
  { method: 'DELETE', path: '/api/ssh-keys/:id', ids: (f) => ({ id: f.sshKeyId }) },
  { method: 'PATCH', path: '/api/users/:id', ids: (f) => ({ id: f.userId }), body: json({ role: 'admin' }) },
  { method: 'PATCH', path: '/api/sites/:id', ids: site, body: json({ description: 'changed' }) },
  { method: 'POST', path: '/api/sites/:id/stop', ids: site },
  { method: 'POST', path: '/api/sites/:id/start', ids: site },
  { method: 'POST', path: '/api/sites/:id/restart', ids: site },
  { method: 'POST', path: '/api/sites/:id/repair', ids: site },
  { method: 'POST', path: '/api/sites/:id/members', ids: site, body: json({ username: 'carol' }) },
  { method: 'DELETE', path: '/api/sites/:id/members/:userId', ids: (f) => ({ id: f.site.id, userId: f.memberId }) },
  { method: 'POST', path: '/api/sites/:id/domains', ids: site, body: json({ hostname: 'another.example.org' }) },
  { method: 'POST', path: '/api/sites/:id/domains/:domainId/check', ids: (f) => ({ id: f.site.id, domainId: f.domainId }) },
  { method: 'POST', path: '/api/sites/:id/domains/:domainId/verify', ids: (f) => ({ id: f.site.id, domainId: f.domainId }) },
  { method: 'DELETE', path: '/api/sites/:id/domains/:domainId', ids: (f) => ({ id: f.site.id, domainId: f.domainId }) },
  { method: 'POST', path: '/api/operations/:id/retry', ids: (f) => ({ id: f.operationId }) },
  { method: 'POST', path: '/api/sites/:id/database', ids: site, body: json({ engine: 'postgresql' }) },
  { method: 'POST', path: '/api/sites/:id/database/rotate-password', ids: site },
  { method: 'POST', path: '/api/sites/:id/database/query', ids: site, body: json({ sql: 'create table pwned (id int)' }) },
  { method: 'DELETE', path: '/api/sites/:id/database', ids: site },
  { method: 'POST', path: '/api/sites/:id/files/write', ids: site, body: json({ path: 'public/pwned.txt', content: 'pwned' }) },
  { method: 'POST', path: '/api/sites/:id/files/mkdir', ids: site, body: json({ path: 'public/pwned' }) },
  { method: 'POST', path: '/api/sites/:id/files/rename', ids: site, body: json({ from: 'public', to: 'pwned' }) },
  { method: 'POST', path: '/api/sites/:id/files/chmod', ids: site, body: json({ path: 'public', mode: '700' }) },
  {
    method: 'POST',
    path: '/api/sites/:id/files/delete',
    ids: site,
    body: json({ path: 'public', recursive: true, confirm: 'public' }),
  },
  {
    method: 'PUT',
    path: '/api/sites/:id/files/content?path=public/pwned.txt',
    ids: site,
    body: () => ({ type: 'application/octet-stream', data: 'pwned' }),
  },
  {
    method: 'POST',
    path: '/api/sites/:id/files/upload?path=public',
    ids: site,
    body: () => {
      const form = new FormData();
      form.append('file', new Blob(['pwned']), 'pwned.txt');
      return { type: '', data: form };
    },
  },
  { method: 'DELETE', path: '/api/sites/:id', ids: site, body: (f) => json({ confirm: f.site.name })() },
];

/** Query parameters that are numbers, on the lists that take them. */
const NUMERIC_QUERIES: readonly { path: string; name: string; value: number }[] = [
  { path: '/api/users', name: 'limit', value: 10 },
  { path: '/api/users', name: 'cursor', value: 1 },
  { path: '/api/sites', name: 'limit', value: 10 },
  { path: '/api/sites', name: 'cursor', value: 1 },
  { path: '/api/audit', name: 'siteId', value: 1 },
  { path: '/api/operations', name: 'siteId', value: 1 },
];

/** What the manager answered, with the parameter names its 400 blamed. */
interface Answer {
  status: number;
  code: unknown;
  blamed: string[];
  text: string;
}

describe('numeric ids in URLs have one spelling: every other one is refused and changes nothing', () => {
  let stack: TestStack;
  let keys: Awaited<ReturnType<typeof tempDir>>;
  let fixture: Fixture;

  const snapshot = async () => (await stack.database.query<{ state: string }>(SNAPSHOT_SQL))[0]?.state;

  async function send(method: string, path: string, body?: { type: string; data: string | FormData }): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${stack.adminToken}` };
    if (body?.type) headers['content-type'] = body.type;
    const response = await fetch(`http://127.0.0.1:${stack.ports.manager}${path}`, { method, headers, body: body?.data });
    const text = await response.text();
    let parsed: { error?: { code?: unknown; details?: { issues?: { path?: string }[] } } } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Not JSON: reported through `text`.
    }
    const blamed = (parsed.error?.details?.issues ?? []).map((issue) => String(issue.path));
    return { status: response.status, code: parsed.error?.code, blamed, text: text.slice(0, 300) };
  }

  async function finished(id: number): Promise<void> {
    const operation = await stack.waitForOperation<OperationView>(id);
    expect(operation.state, JSON.stringify(operation)).toBe('succeeded');
  }

  beforeAll(async () => {
    keys = await tempDir('path-ids-keys');
    stack = await TestStack.start('pathids');
    const bob = await stack.api<{ id: number }>('POST', '/api/users', { username: 'bob' });
    const dave = await stack.api<{ id: number }>('POST', '/api/users', { username: 'dave' });
    await stack.api('POST', '/api/users', { username: 'carol' });
    const created = await stack.api<SiteView>('POST', '/api/sites', { name: 'ids', type: 'dynamic', image: 'busybox' });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    await finished(created.json.operation!.id);
    expect((await stack.api('POST', `/api/sites/${created.json.id}/members`, { username: 'bob' })).status).toBe(201);
    const domain = await addVerifiedDomain(stack, created.json.id, 'ids.example.org');
    await finished(domain.operation.id);
    const database = await stack.api<OperationView>('POST', `/api/sites/${created.json.id}/database`, { engine: 'postgresql' });
    await finished(database.json.id);
    const token = await stack.api<{ id: number }>('POST', '/api/tokens', { name: 'to revoke' });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys.path, 'key')]);
    const publicKey = (await readFile(join(keys.path, 'key.pub'), 'utf8')).trim();
    const sshKey = await stack.api<{ id: number }>('POST', '/api/ssh-keys', { name: 'laptop', publicKey });
    fixture = {
      site: created.json,
      domainId: domain.domain.id,
      memberId: bob.json.id,
      operationId: domain.operation.id,
      tokenId: token.json.id,
      sshKeyId: sshKey.json.id,
      userId: dave.json.id,
    };
  });

  afterAll(async () => {
    await stack.stop();
    await keys.remove();
  });

  it('refuses each other spelling of each id on every mutating route with a 400 naming the parameter', async () => {
    const problems: string[] = [];
    let sent = 0;
    for (const mutation of MUTATIONS) {
      const ids = mutation.ids(fixture);
      for (const [name, id] of Object.entries(ids)) {
        for (const spelling of lenientSpellingsOf(id)) {
          const path = Object.entries(ids).reduce(
            (built, [other, value]) => built.replace(`:${other}`, other === name ? spelling : String(value)),
            mutation.path,
          );
          const before = await snapshot();
          const answer = await send(mutation.method, path, mutation.body?.(fixture));
          sent++;
          const label = `${mutation.method} ${path}: ${answer.status}`;
          if (answer.status !== 400 || answer.code !== 'VALIDATION_FAILED' || !answer.blamed.includes(name))
            problems.push(`${label} ${answer.text} (expected a 400 VALIDATION_FAILED naming "${name}")`);
          if ((await snapshot()) !== before) problems.push(`${label} changed the database`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(350);
  });

  it('refuses other spellings of numbers in query strings with a 400 naming the parameter', async () => {
    const problems: string[] = [];
    for (const query of NUMERIC_QUERIES) {
      expect((await send('GET', `${query.path}?${query.name}=${query.value}`)).status).toBe(200);
      for (const spelling of lenientSpellingsOf(query.value)) {
        const answer = await send('GET', `${query.path}?${query.name}=${spelling}`);
        if (answer.status !== 400 || !answer.blamed.includes(query.name))
          problems.push(`GET ${query.path}?${query.name}=${spelling}: ${answer.status} ${answer.text}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refuses them on the orchestrator and the router too, even signed by the manager', async () => {
    const { id } = fixture.site;
    const orchestrator = stack.signer('manager', 'orchestrator');
    const router = stack.signer('manager', 'router');
    const canary = await send('POST', `/api/sites/${id}/files/write`, json({ path: 'public/canary.txt', content: 'still served' })());
    expect(canary.status, canary.text).toBe(200);
    const visit = async () => (await stack.visit(`${fixture.site.name}.dais.localhost`, '/canary.txt')).body;
    expect(await visit()).toBe('still served');
    const problems: string[] = [];
    for (const spelling of lenientSpellingsOf(id)) {
      const attempts = [
        signedFetch(`http://127.0.0.1:${stack.ports.orchestrator}`, orchestrator, 'POST', `/v1/sites/${spelling}/restart`),
        signedFetch(`http://127.0.0.1:${stack.ports.orchestrator}`, orchestrator, 'DELETE', `/v1/sites/${spelling}?keepFiles=true`),
        signedFetch(`http://127.0.0.1:${stack.ports.orchestrator}`, orchestrator, 'POST', `/v1/sites/${spelling}/files/mkdir`, {
          body: { path: 'public/pwned' },
        }),
        signedFetch(`http://127.0.0.1:${stack.ports.router}`, router, 'DELETE', `/v1/routes/${spelling}`),
      ];
      for (const answer of await Promise.all(attempts))
        if (answer.status !== 400) problems.push(`${spelling}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
    // Still there: the site's spec on the orchestrator, its route on the router, its container serving.
    expect((await signedFetch(`http://127.0.0.1:${stack.ports.orchestrator}`, orchestrator, 'GET', `/v1/sites/${id}`)).status).toBe(200);
    expect(await visit()).toBe('still served');
  });

  it('still acts on the plain spelling, down to the orchestrator, and the snapshot sees that change', async () => {
    const before = await snapshot();
    const write = await send('POST', `/api/sites/${fixture.site.id}/files/write`, json({ path: 'public/plain.txt', content: 'plain' })());
    expect(write.status, write.text).toBe(200);
    expect((await send('DELETE', `/api/tokens/${fixture.tokenId}`)).status).toBe(204);
    expect(await snapshot()).not.toBe(before);
  });
});
