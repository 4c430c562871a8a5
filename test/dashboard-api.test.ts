import {
  operationListViewSchema,
  platformViewSchema,
  siteListViewSchema,
  type OperationListView,
  type OperationView,
  type SiteView,
} from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVerifiedDomain } from './support/domains';
import { BrowserSession } from './support/browser-session';
import { signedFetch } from './support/signed-fetch';
import { TestStack, type ApiAnswer } from './support/stack';

/** A refusal: its status, error code and the query fields its issues name. */
interface Refusal {
  error: { code: string; details?: { issues?: { path: string; rule: string }[] } };
}

describe('what the dashboard reads: all operations, site filters, the platform', () => {
  let stack: TestStack;
  let userToken: string;
  /** A static site whose custom domain could not be routed: its operation failed. */
  let clashing: SiteView;
  let failed: OperationView;
  let quiet: SiteView;

  const finished = (id: number) => stack.waitForOperation<OperationView>(id);
  const asUser = <T>(path: string): Promise<ApiAnswer<T>> => stack.api<T>('GET', path, undefined, userToken);

  async function createdSite(name: string): Promise<SiteView> {
    const site = await stack.createSite(name);
    expect((await finished(site.operation?.id ?? 0)).state).toBe('succeeded');
    return site;
  }

  /** Adds a domain the router already gives another site: the operation that routes it fails. */
  async function failedDomainOperation(site: SiteView): Promise<OperationView> {
    const router = { url: `http://127.0.0.1:${stack.ports.router}`, signer: stack.signer('manager', 'router') };
    const held = await signedFetch(router.url, router.signer, 'PUT', '/v1/routes/999990', {
      body: { siteId: 999990, hostnames: ['held.example.com'] },
    });
    expect(held.status).toBe(200);
    const added = await addVerifiedDomain(stack, site.id, 'held.example.com');
    const operation = await finished(added.operation.id);
    expect(operation.state).toBe('failed');
    return operation;
  }

  beforeAll(async () => {
    stack = await TestStack.start('dashboard', {
      env: { DAIS_FILES_UPLOAD_MAX_BYTES: '5000000', DAIS_SHELL_PUBLIC_HOST: 'ssh.dais.example', DAIS_BODY_LIMIT_BYTES: '2000000' },
    });
    expect((await stack.api('POST', '/api/users', { username: 'uma', password: 'uma long password 1' })).status).toBe(201);
    const uma = new BrowserSession(`http://127.0.0.1:${stack.ports.manager}`);
    expect((await uma.login('uma', 'uma long password 1')).status).toBe(200);
    userToken = (await uma.request<{ token: string }>('POST', '/api/tokens', { name: 'uma script' })).json.token;
    clashing = await createdSite('clashing');
    quiet = await createdSite('quiet');
    failed = await failedDomainOperation(clashing);
  });

  afterAll(async () => {
    await stack.stop();
  });

  describe('GET /api/operations (admins)', () => {
    it('lists the failed operations, each as GET /api/operations/:id shows it', async () => {
      const answer = await stack.api<OperationListView>('GET', '/api/operations?state=failed');
      expect(answer.status).toBe(200);
      const page = operationListViewSchema.parse(answer.json);
      expect(page.operations.map((operation) => operation.state)).toEqual(page.operations.map(() => 'failed'));
      const single = await stack.api<OperationView>('GET', `/api/operations/${failed.id}`);
      expect(page.operations).toContainEqual(single.json);
      expect(single.json).toMatchObject({ siteName: 'clashing', kind: 'update_site', state: 'failed' });
      expect(page.nextCursor).toBeNull();
    });

    it('lists newest first, filters by site and state, and pages with nextCursor', async () => {
      const all = (await stack.api<OperationListView>('GET', '/api/operations?limit=200')).json;
      const ids = all.operations.map((operation) => operation.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(ids.length).toBeGreaterThanOrEqual(3);

      const ofQuiet = (await stack.api<OperationListView>('GET', `/api/operations?siteId=${quiet.id}`)).json;
      expect(ofQuiet.operations.map((operation) => [operation.siteId, operation.kind, operation.state])).toEqual([
        [quiet.id, 'create_site', 'succeeded'],
      ]);
      const noneFailed = (await stack.api<OperationListView>('GET', `/api/operations?siteId=${quiet.id}&state=failed`)).json;
      expect(noneFailed).toEqual({ operations: [], nextCursor: null });

      const first = (await stack.api<OperationListView>('GET', '/api/operations?limit=1')).json;
      expect(first.operations.map((operation) => operation.id)).toEqual([ids[0]]);
      expect(first.nextCursor).toBe(ids[0]);
      const second = (await stack.api<OperationListView>('GET', `/api/operations?limit=1&cursor=${first.nextCursor}`)).json;
      expect(second.operations.map((operation) => operation.id)).toEqual([ids[1]]);
      const last = (await stack.api<OperationListView>('GET', `/api/operations?limit=200&cursor=${ids.at(-2)}`)).json;
      expect(last).toMatchObject({ operations: [{ id: ids.at(-1) }], nextCursor: null });
    });

    it('refuses everyone but admins: 403 FORBIDDEN signed in, 401 anonymous', async () => {
      const user = await asUser<Refusal>('/api/operations?state=failed');
      expect([user.status, user.json.error.code]).toEqual([403, 'FORBIDDEN']);
      expect(JSON.stringify(user.json)).not.toContain('clashing');
      const anonymous = await stack.api<Refusal>('GET', '/api/operations', undefined, null);
      expect([anonymous.status, anonymous.json.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    });

    // One sample proves the coded 400 through real HTTP; the whole table is operations.controller.spec.ts's.
    it.each([['state=broken', 'state']])('answers 400 naming the rule to ?%s', async (query, path) => {
      const answer = await stack.api<Refusal>('GET', `/api/operations?${query}`);
      expect(answer.status, JSON.stringify(answer.json)).toBe(400);
      const issues = answer.json.error.details?.issues ?? [];
      expect(issues.length).toBeGreaterThan(0);
      if (path) expect(issues.map((issue) => issue.path)).toContain(path);
      for (const issue of issues) expect(issue.rule).toBeTruthy();
    });
  });

  describe('GET /api/sites filters', () => {
    const names = async (query: string, token?: string): Promise<string[]> => {
      const answer = token ? await asUser(`/api/sites?${query}`) : await stack.api('GET', `/api/sites?${query}`);
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
      return siteListViewSchema.parse(answer.json).sites.map((site) => site.name);
    };

    it('keeps only sites of a type, a state or an availability, combined with search', async () => {
      expect(await names('type=static')).toEqual(['quiet', 'clashing']);
      expect(await names('type=dynamic')).toEqual([]);
      expect(await names('state=active')).toEqual(['quiet', 'clashing']);
      expect(await names('state=failed')).toEqual([]);
      expect(await names('availability=enabled&search=qui')).toEqual(['quiet']);

      const hidden = await stack.api<SiteView>('PATCH', `/api/sites/${quiet.id}`, { availability: 'not_served' });
      expect(hidden.status, JSON.stringify(hidden.json)).toBe(202);
      await finished(hidden.json.operation?.id ?? 0);
      expect(await names('availability=not_served')).toEqual(['quiet']);
      expect(await names('availability=enabled')).toEqual(['clashing']);
      expect(await names('availability=disabled&type=static')).toEqual([]);
    });

    it('filters only among the sites the caller may see', async () => {
      expect(await names('type=static&state=active', userToken)).toEqual([]);
    });

    // One sample proves the coded 400 through real HTTP; the whole table is sites.controller.spec.ts's.
    it.each([['type=php', 'type']])('answers 400 naming the rule to ?%s', async (query, path) => {
      const answer = await stack.api<Refusal>('GET', `/api/sites?${query}`);
      expect(answer.status, JSON.stringify(answer.json)).toBe(400);
      const issues = answer.json.error.details?.issues ?? [];
      expect(issues.length).toBeGreaterThan(0);
      if (path) expect(issues.map((issue) => issue.path)).toContain(path);
    });
  });

  describe('GET /api/platform', () => {
    it('tells any signed-in user the sites domain, the limits and where to connect over SSH', async () => {
      const answer = await asUser<unknown>('/api/platform');
      expect(answer.status).toBe(200);
      expect(platformViewSchema.parse(answer.json)).toEqual({
        sitesDomain: 'dais.localhost',
        siteUrlExample: `http://<name>.dais.localhost:${stack.ports.edge}/`,
        uploadLimitBytes: 5_000_000,
        editLimitBytes: 2_000_000,
        ssh: { host: 'ssh.dais.example', port: stack.ports.shell },
        sso: { oidc: false },
      });
    });

    it('is the limit uploads are refused at', async () => {
      const big = await fetch(`http://127.0.0.1:${stack.ports.manager}/api/sites/${quiet.id}/files/content?path=public/big.bin`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(5_000_001),
      });
      const refusal = (await big.json()) as { error: { code: string; details: { limitBytes: number } } };
      expect([big.status, refusal.error.code, refusal.error.details.limitBytes]).toEqual([413, 'FILE_TOO_LARGE', 5_000_000]);
    });

    it('is not for anonymous callers', async () => {
      expect((await stack.api('GET', '/api/platform', undefined, null)).status).toBe(401);
    });
  });
});
