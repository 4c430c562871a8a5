import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CASES, methodOf, type ApiCase, type CaseContext } from './support/api-cases';
import { requestStateOf } from './support/database-state';
import { addVerifiedDomain } from './support/domains';
import { HOSTILE_PATH_IDS, HOSTILE_QUERIES, HOSTILE_VALUES, lenientSpellingsOf, MALFORMED_BODIES } from './support/hostile-values';
import { TestStack } from './support/stack';
import { tempDir } from './support/temp-dir';

const run = promisify(execFile);

/** Every table that holds what users made, minus columns background work writes while the test runs. */
const STATE_TABLES = ['Site', 'Domain', 'SiteMember', 'SiteDatabase', 'DatabaseHost', 'Image', 'User', 'Operation', 'SshKey', 'ApiToken'];
const STATE_SQL = `select md5(concat_ws('|', ${STATE_TABLES.map(
  (table) => `(select string_agg(${requestStateOf(table)}::text, ',' order by ${requestStateOf(table)}::text) from "${table}" t)`,
).join(', ')})) as state`;

/** One request a hostile client sends, and what it is. */
interface Attempt {
  what: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  /** A broken path id: any answer but a 4xx is a problem, even one that looks harmless. */
  mustRefuse?: boolean;
}

/** Every way to break a case's valid request, one thing at a time. */
function attemptsFor(apiCase: ApiCase, context: CaseContext): Attempt[] {
  const method = methodOf(apiCase);
  const { path, body } = apiCase.request(context);
  const attempts: Attempt[] = [];
  const withBody = (what: string, sent: unknown) =>
    attempts.push({ what, method, path, body: JSON.stringify(sent), contentType: 'application/json' });
  if (method !== 'GET') {
    for (const raw of MALFORMED_BODIES)
      attempts.push({ what: `raw body ${JSON.stringify(raw.slice(0, 30))}`, method, path, body: raw, contentType: 'application/json' });
    attempts.push({ what: 'text/plain body', method, path, body: JSON.stringify(body ?? {}), contentType: 'text/plain' });
  }
  if (body && typeof body === 'object') {
    const fields = body as Record<string, unknown>;
    withBody('an unknown field', { ...fields, isAdmin: true });
    for (const key of Object.keys(fields)) {
      const { [key]: _removed, ...without } = fields;
      withBody(`${key} missing`, without);
      for (const value of HOSTILE_VALUES) withBody(`${key} = ${JSON.stringify(value).slice(0, 30)}`, { ...fields, [key]: value });
    }
  }
  const [bare = '', query] = path.split('?');
  // Each id in the path in turn: ids that name nothing, and other spellings of the id itself.
  for (const segment of bare.matchAll(/\/(\d+)(?=\/|$)/g)) {
    const at = segment.index + 1;
    const ownId = Number(segment[1]);
    for (const id of [...HOSTILE_PATH_IDS, ...lenientSpellingsOf(ownId)]) {
      const broken = bare.slice(0, at) + id + bare.slice(at + (segment[1] ?? '').length);
      attempts.push({
        what: `path ${broken.slice(0, 60)}`,
        method,
        path: broken + (query ? `?${query}` : ''),
        body: body === undefined ? undefined : JSON.stringify(body),
        contentType: 'application/json',
        mustRefuse: true,
      });
    }
  }
  if (apiCase.query) {
    for (const hostile of HOSTILE_QUERIES)
      attempts.push({
        what: `query ${hostile.slice(0, 40)}`,
        method,
        path: `${bare}?${hostile}`,
        body: body === undefined ? undefined : JSON.stringify(body),
        contentType: 'application/json',
      });
  }
  return attempts;
}

describe('hostile input on every route: never a 5xx, never a stack trace, never a partial write', () => {
  let stack: TestStack;
  let keys: Awaited<ReturnType<typeof tempDir>>;
  let context: CaseContext;

  const state = async () => (await stack.database.query<{ state: string }>(STATE_SQL))[0]?.state;

  beforeAll(async () => {
    keys = await tempDir('hostile-keys');
    stack = await TestStack.start('hostile');
    const bob = await stack.api<{ id: number }>('POST', '/api/users', { username: 'bob', password: 'bob long password 1' });
    await stack.api('POST', '/api/users', { username: 'carol' });
    const site = await stack.api<SiteView>('POST', '/api/sites', { name: 'target', description: 'fuzzed' });
    await stack.waitForOperation(site.json.operation!.id);
    await stack.api('POST', `/api/sites/${site.json.id}/members`, { username: 'bob' });
    // Verified by the admin: never re-checked in the background, so its row holds still while the fuzzing runs.
    const domain = await addVerifiedDomain(stack, site.json.id, 'target.example.org');
    await stack.waitForOperation(domain.operation.id);
    const database = await stack.api<OperationView>('POST', `/api/sites/${site.json.id}/database`, { engine: 'postgresql' });
    await stack.waitForOperation(database.json.id);
    const token = await stack.api<{ id: number }>('POST', '/api/tokens', { name: 'fuzz' });
    const keyPath = join(keys.path, 'key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
    const publicKey = (await readFile(`${keyPath}.pub`, 'utf8')).trim();
    const sshKey = await stack.api<{ id: number }>('POST', '/api/ssh-keys', { name: 'fuzz', publicKey });
    context = {
      role: 'admin',
      siteId: site.json.id,
      siteName: site.json.name,
      domainId: domain.domain.id,
      memberUserId: bob.json.id,
      operationId: domain.operation.id,
      tokenId: token.json.id,
      sshKeyId: sshKey.json.id,
      userId: bob.json.id,
      newPublicKey: publicKey,
      password: 'not used',
      addableUsername: 'carol',
      addableEmail: 'carol@example.org',
    };
  });

  afterAll(async () => {
    await stack.stop();
    await keys.remove();
  });

  it('answers every broken request with a clear 4xx and changes nothing', async () => {
    const problems: string[] = [];
    let sent = 0;
    let previous = 'the start';
    cases: for (const apiCase of API_CASES) {
      for (const attempt of attemptsFor(apiCase, context)) {
        const before = await state();
        const headers: Record<string, string> = { authorization: `Bearer ${stack.adminToken}` };
        if (attempt.contentType && attempt.body !== undefined) headers['content-type'] = attempt.contentType;
        const response = await fetch(`http://127.0.0.1:${stack.ports.manager}${attempt.path}`, {
          method: attempt.method,
          headers,
          body: attempt.body,
        });
        const text = await response.text();
        sent++;
        const label = `${apiCase.route} with ${attempt.what}: ${response.status}`;
        // Every later request would be an unchecked 401 (a lenient id parser once revoked token 1, the test's own).
        if (response.status === 401 && (await stack.api('GET', '/api/auth/me')).status === 401) {
          problems.push(`${label}: the test's own token stopped working after ${previous}, so no later request was checked`);
          break cases;
        }
        previous = label;
        if (response.status >= 500) problems.push(`${label} ${text.slice(0, 200)}`);
        else if (attempt.mustRefuse && response.status < 400) problems.push(`${label}: a broken path id was accepted`);
        if (/\bat .+\.(js|ts):\d+/.test(text)) problems.push(`${label} leaks a stack trace`);
        if (response.status >= 400 && response.status < 500) {
          if (response.headers.get('content-type')?.includes('application/json')) {
            const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
            if (typeof error?.code !== 'string' || typeof error.message !== 'string')
              problems.push(`${label} without { error: { code, message } }`);
          }
          if ((await state()) !== before) problems.push(`${label} but the database changed`);
        } else if (response.status === 202) {
          // Accepted (a hostile-looking value can be valid, like an emoji description): let it finish.
          const json = JSON.parse(text) as { id?: number; kind?: string; operation?: { id: number } };
          const operationId = json.operation?.id ?? (json.kind ? json.id : undefined);
          if (operationId !== undefined) await stack.waitForOperation(operationId);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(1500);
  }, 600_000);
});
