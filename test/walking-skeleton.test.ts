import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OperationView, SiteView } from '@dais/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedFetch } from './support/signed-fetch';
import { TestStack } from './support/stack';

const hostOf = (name: string) => `${name}.dais.localhost`;

describe('a static site goes from an API call to a served page (manager → queue → orchestrator → router)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start('skeleton');
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('creates a site: 202 with the operation, then its index.html through the router', async () => {
    const site = await stack.createSite('hello');
    expect(site).toMatchObject({
      name: 'hello',
      type: 'static',
      state: 'provisioning',
      url: `http://hello.dais.localhost:${stack.ports.edge}/`,
    });
    expect(site.operation?.steps.map((step) => step.name)).toEqual(['orchestrator.ensure_site', 'router.ensure_routes']);

    const operation = await stack.waitForOperation<OperationView>(site.operation?.id ?? 0);
    expect(operation.state).toBe('succeeded');
    expect(operation.steps.every((step) => step.state === 'succeeded' && step.attempts === 1)).toBe(true);

    const page = await stack.visit(hostOf('hello'));
    expect(page.status).toBe(200);
    expect(page.body).toContain('hello is ready');

    const read = await stack.api<SiteView>('GET', `/api/sites/${site.id}`);
    expect(read.json).toMatchObject({ id: site.id, state: 'active', operation: { id: operation.id, state: 'succeeded' } });
  });

  it('deletes a site the same way: the router answers 404 and the API forgets it', async () => {
    const site = await stack.createSite('doomed');
    await stack.waitForOperation(site.operation?.id ?? 0);
    expect((await stack.visit(hostOf('doomed'))).status).toBe(200);

    const deletion = await stack.api<OperationView>('DELETE', `/api/sites/${site.id}`, { confirm: 'doomed' });
    expect(deletion.status).toBe(202);
    expect(deletion.json.kind).toBe('delete_site');
    const done = await stack.waitForOperation<OperationView>(deletion.json.id);
    expect(done.state).toBe('succeeded');

    const page = await stack.visit(hostOf('doomed'));
    expect(page.status).toBe(404);
    expect(page.body).toContain('There is no site or page at this address');
    expect((await stack.api('GET', `/api/sites/${site.id}`)).status).toBe(404);
    expect(existsSync(join(stack.stateDir, 'orchestrator/data/sites', String(site.id)))).toBe(false);
    expect((await stack.api('GET', `/api/operations/${done.id}`)).status).toBe(200);
  });

  describe('bad input gets a 400 naming the rule, and nothing is created', () => {
    it.each([
      ['an uppercase name', { name: 'Hello' }, 'SITE_NAME_INVALID', 'charset'],
      ['a name starting with a digit', { name: '1site' }, 'SITE_NAME_INVALID', 'start'],
      ['a reserved name', { name: 'www' }, 'SITE_NAME_INVALID', 'reserved'],
      ['a name too long', { name: 'a'.repeat(33) }, 'SITE_NAME_INVALID', 'length'],
      ['a name that injects nginx config', { name: 'x;include /etc/passwd' }, 'SITE_NAME_INVALID', 'charset'],
      ['an unknown field', { name: 'fine', privileged: true }, 'VALIDATION_FAILED', 'unrecognized_keys'],
      ['an unknown site type', { name: 'fine', type: 'vm' }, 'VALIDATION_FAILED', 'invalid_value'],
      ['a missing name', {}, 'VALIDATION_FAILED', 'invalid_type'],
    ])('%s', async (_label, body, code, rule) => {
      const before = await stack.database.query<{ count: string }>('select count(*) from "Site"');
      const answer = await stack.api<{ error: { code: string; details: { issues: { rule: string }[] } } }>('POST', '/api/sites', body);
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe(code);
      expect(answer.json.error.details.issues.map((issue) => issue.rule)).toContain(rule);
      expect(await stack.database.query('select count(*) from "Site"')).toEqual(before);
    });

    it('a body that is not JSON', async () => {
      const answer = await stack.api<{ error: { code: string } }>('POST', '/api/sites', '{"name":');
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe('VALIDATION_FAILED');
    });

    it('an oversized body is refused with 413 before it is read', async () => {
      const answer = await stack.api<{ error: { code: string } }>('POST', '/api/sites', {
        name: 'big',
        description: 'x'.repeat(2 * 1024 * 1024),
      });
      expect(answer.status).toBe(413);
      expect(answer.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('a name already taken gets a 409', async () => {
      const answer = await stack.api<{ error: { code: string } }>('POST', '/api/sites', { name: 'hello' });
      expect(answer.status).toBe(409);
      expect(answer.json.error.code).toBe('SITE_NAME_TAKEN');
    });

    it('no token, or a wrong one, gets a 401', async () => {
      expect((await stack.api('GET', '/api/sites', undefined, null)).status).toBe(401);
      expect((await stack.api('GET', '/api/sites', undefined, 'dais_' + 'x'.repeat(43))).status).toBe(401);
    });

    it('a site of someone else is not found', async () => {
      const { execFileSync } = await import('node:child_process');
      const token = execFileSync(process.execPath, ['apps/manager/dist/cli/admin.js', 'create-token', '--username', 'mallory'], {
        env: { ...process.env, ...stack.env },
      })
        .toString()
        .trim();
      const sites = await stack.api<{ sites: SiteView[] }>('GET', '/api/sites');
      const someone = sites.json.sites[0];
      expect(someone).toBeDefined();
      expect((await stack.api('GET', `/api/sites/${someone?.id ?? 0}`, undefined, token)).status).toBe(404);
      expect((await stack.api('DELETE', `/api/sites/${someone?.id ?? 0}`, { confirm: someone?.name }, token)).status).toBe(404);
    });
  });

  it('a failing step stops the operation with its reason; a retry resumes from that step', async () => {
    // Another site already holds the hostname at the edge, so the router refuses this one.
    const manager = stack.signer('manager', 'router');
    const routerUrl = `http://127.0.0.1:${stack.ports.router}`;
    expect(
      (await signedFetch(routerUrl, manager, 'PUT', '/v1/routes/999999', { body: { siteId: 999999, hostnames: [hostOf('clash')] } }))
        .status,
    ).toBe(200);

    const site = await stack.createSite('clash');
    const failed = await stack.waitForOperation<OperationView>(site.operation?.id ?? 0);
    expect(failed.state).toBe('failed');
    expect(failed.steps.map((step) => step.state)).toEqual(['succeeded', 'failed']);
    expect(failed.steps[1]?.message).toBe('clash.dais.localhost already belongs to site 999999.');
    expect(failed.error).toContain("Route the site's hostnames at the edge");
    expect((await stack.api<SiteView>('GET', `/api/sites/${site.id}`)).json.state).toBe('failed');

    expect((await signedFetch(routerUrl, manager, 'DELETE', '/v1/routes/999999')).status).toBe(200);
    const retry = await stack.api<OperationView>('POST', `/api/operations/${failed.id}/retry`);
    expect(retry.status).toBe(202);
    const done = await stack.waitForOperation<OperationView>(failed.id);
    expect(done.state).toBe('succeeded');
    expect(done.steps.map((step) => step.attempts)).toEqual([1, 2]);
    expect((await stack.visit(hostOf('clash'))).status).toBe(200);
    expect((await stack.api<{ error: { code: string } }>('POST', `/api/operations/${failed.id}/retry`)).json.error.code).toBe(
      'OPERATION_NOT_RETRYABLE',
    );
  });

  it('a socket.io client sees the steps of an operation progress, live', async () => {
    const socket: Socket = io(`http://127.0.0.1:${stack.ports.manager}`, { auth: { token: stack.adminToken }, transports: ['websocket'] });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      // Freeze the orchestrator so the operation cannot finish before we are subscribed.
      stack.signal('orchestrator', 'SIGSTOP');
      const site = await stack.createSite('live');
      const seen: OperationView[] = [];
      const finished = new Promise<void>((resolve) => {
        socket.on('operation:updated', (operation: OperationView) => {
          seen.push(operation);
          if (operation.state === 'succeeded') resolve();
        });
      });
      const ack = (await socket.emitWithAck('site:subscribe', { siteId: site.id })) as { ok: boolean };
      expect(ack).toEqual({ ok: true });
      stack.signal('orchestrator', 'SIGCONT');
      await finished;
      const trail = seen.map((operation) => operation.steps.map((step) => step.state).join('/'));
      expect(trail).toContain('running/pending');
      expect(trail).toContain('succeeded/running');
      expect(trail.at(-1)).toBe('succeeded/succeeded');
    } finally {
      stack.signal('orchestrator', 'SIGCONT');
      socket.close();
    }
  });

  it('socket.io refuses a connection without a valid token, and subscriptions to sites one cannot see', async () => {
    const anonymous = io(`http://127.0.0.1:${stack.ports.manager}`, { auth: { token: 'nope' }, transports: ['websocket'] });
    const error = await new Promise<Error>((resolve) => anonymous.once('connect_error', resolve));
    expect(error.message).toContain('valid API token');
    anonymous.close();

    const socket = io(`http://127.0.0.1:${stack.ports.manager}`, { auth: { token: stack.adminToken }, transports: ['websocket'] });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    expect(await socket.emitWithAck('site:subscribe', { siteId: 424242 })).toMatchObject({ ok: false, error: { code: 'SITE_NOT_FOUND' } });
    expect(await socket.emitWithAck('site:subscribe', { siteId: 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    socket.close();
  });

  it('socket.io refuses a browser connection from a foreign Origin', async () => {
    const response = await fetch(`http://127.0.0.1:${stack.ports.manager}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
  });
});
