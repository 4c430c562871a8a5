import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { LIVE_EVENTS, type OperationView, type SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from './support/browser-session';
import { LiveClient } from './support/live-client';
import { TestStack } from './support/stack';

const LOGGING_RUN_SH = '#!/bin/sh\nfor i in 1 2 3 4 5; do echo "relay-line-$i"; done\nexec httpd -f -p "$PORT" -h /site/public\n';

describe('live streams through the manager (Socket.IO relay, members only)', () => {
  let stack: TestStack;
  let site: SiteView;
  let staticSite: SiteView;
  const tokens: Record<string, string> = {};
  const ids: Record<string, number> = {};
  const clients: LiveClient[] = [];
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const connect = async (who: string) => {
    const client = await LiveClient.connect(stack.ports.manager, tokens[who] ?? stack.adminToken);
    clients.push(client);
    return client;
  };
  const done = (operation: { id: number } | null | undefined) =>
    stack.waitForOperation<OperationView>(operation?.id ?? 0, undefined, 120_000);

  beforeAll(async () => {
    stack = await TestStack.start('live-streams');
    for (const username of ['alice', 'olga']) {
      const created = await stack.api<{ id: number }>('POST', '/api/users', { username, password: `${username} long password 1` });
      ids[username] = created.json.id;
      const browser = new BrowserSession(`http://127.0.0.1:${stack.ports.manager}`);
      expect((await browser.login(username, `${username} long password 1`)).status).toBe(200);
      tokens[username] = (await browser.request<{ token: string }>('POST', '/api/tokens', { name: 'live test' })).json.token;
    }
    const created = await stack.api<SiteView>('POST', '/api/sites', { name: 'relayed', type: 'dynamic', image: 'busybox' });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    site = created.json;
    staticSite = await stack.createSite('still');
    expect((await done(site.operation)).state).toBe('succeeded');
    expect((await done(staticSite.operation)).state).toBe('succeeded');
    expect((await stack.api('POST', `/api/sites/${site.id}/members`, { username: 'alice' })).status).toBe(201);
    const dir = join(stack.stateDir, 'orchestrator/data/sites', String(site.id));
    await writeFile(join(dir, 'run.sh'), LOGGING_RUN_SH);
    await chmod(join(dir, 'run.sh'), 0o755);
    const restarted = await stack.api<OperationView>('POST', `/api/sites/${site.id}/restart`);
    expect((await done(restarted.json)).state).toBe('succeeded');
  }, 240_000);

  afterAll(async () => {
    for (const client of clients) client.socket.disconnect();
    await stack.stop();
  });

  it("gives a member a terminal in the site's container: input, resize, output and the exit code", async () => {
    const alice = await connect('alice');
    const streamId = await alice.opened({ kind: 'terminal', siteId: site.id, cols: 100, rows: 30 });
    alice.socket.emit(LIVE_EVENTS.input, { streamId, data: 'id -u; echo relay-$((40 + 2))\n' });
    await alice.until(() => /relay-42/.test(alice.output.get(streamId) ?? ''), 'the command output');
    expect(alice.output.get(streamId)).toContain(String(200_000 + site.id));
    expect(await alice.socket.emitWithAck(LIVE_EVENTS.resize, { streamId, cols: 100_000, rows: 0 })).toEqual({ ok: true });
    alice.socket.emit(LIVE_EVENTS.input, { streamId, data: Buffer.from('stty size; exit 5\n') });
    await alice.until(() => alice.closed.some((event) => event.streamId === streamId), 'the stream to close');
    expect(alice.output.get(streamId)).toMatch(/2 1000/);
    expect(alice.messages).toContainEqual({ streamId, message: { type: 'exit', code: 5 } });
  });

  it("gives a member the site's logs, starting with the last lines", async () => {
    const alice = await connect('alice');
    const streamId = await alice.opened({ kind: 'logs', siteId: site.id, tail: 3 });
    await alice.until(() => (alice.output.get(streamId) ?? '').includes('relay-line-5'), 'the last log line');
    expect(alice.output.get(streamId)).not.toContain('relay-line-2');
    expect(await alice.socket.emitWithAck(LIVE_EVENTS.close, { streamId })).toEqual({ ok: true });
  });

  it('relays the status and file events of a folder', async () => {
    const admin = await connect('admin');
    const status = await admin.opened({ kind: 'status', siteId: staticSite.id });
    const files = await admin.opened({ kind: 'files', siteId: staticSite.id, path: '/public' });
    await admin.until(() => admin.messages.some((event) => event.streamId === files && event.message.type === 'ready'), 'the watch');
    await writeFile(join(stack.stateDir, 'orchestrator/data/sites', String(staticSite.id), 'public', 'added.html'), 'hi');
    await admin.until(
      () =>
        admin.messages.some(
          (event) => event.streamId === files && event.message.type === 'file-event' && event.message.path === '/public/added.html',
        ),
      'the file event',
    );
    expect(admin.messages).toContainEqual({
      streamId: status,
      message: { type: 'status', status: expect.objectContaining({ siteId: staticSite.id, state: 'static' }) },
    });
    expect(await admin.open({ kind: 'files', siteId: staticSite.id, path: '/../..' })).toMatchObject({
      ok: false,
      error: { code: 'PATH_FORBIDDEN' },
    });
  });

  it('refuses a non-member, bad requests and strangers', async () => {
    const olga = await connect('olga');
    for (const kind of ['terminal', 'logs', 'status', 'files'] as const) {
      expect(await olga.open({ kind, siteId: site.id })).toMatchObject({ ok: false, error: { code: 'SITE_NOT_FOUND' } });
    }
    expect(await olga.open({ kind: 'terminal', siteId: -1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await olga.open({ kind: 'shell-server', siteId: site.id })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await olga.socket.emitWithAck(LIVE_EVENTS.input, { streamId: 'not-hers', data: 'id\n' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    await expect(LiveClient.connect(stack.ports.manager, 'not-a-token')).rejects.toThrow();
  });

  it("closes a member's streams when they are removed from the site", async () => {
    const alice = await connect('alice');
    const terminal = await alice.opened({ kind: 'terminal', siteId: site.id });
    const status = await alice.opened({ kind: 'status', siteId: site.id });
    await alice.until(() => alice.messages.some((event) => event.streamId === status && event.message.type === 'status'), 'a status');
    expect((await stack.api('DELETE', `/api/sites/${site.id}/members/${ids.alice ?? 0}`)).status).toBe(204);
    await alice.until(
      () => [terminal, status].every((id) => alice.closed.some((event) => event.streamId === id && event.code === 'SITE_NOT_FOUND')),
      'both streams to close',
    );
    expect(await alice.open({ kind: 'logs', siteId: site.id })).toMatchObject({ ok: false, error: { code: 'SITE_NOT_FOUND' } });
  });

  it("ends the orchestrator session when the browser disconnects (the static site's terminal container goes)", async () => {
    const admin = await connect('admin');
    const streamId = await admin.opened({ kind: 'terminal', siteId: staticSite.id });
    admin.socket.emit(LIVE_EVENTS.input, { streamId, data: 'echo ready-here\n' });
    await admin.until(() => (admin.output.get(streamId) ?? '').includes('ready-here'), 'the shell');
    const terminals = () =>
      docker.listContainers({
        all: true,
        filters: { label: [`dais.terminal-for=${staticSite.id}`, `dais.managed-by=${stack.env.DAIS_SITE_NAME_PREFIX ?? ''}`] },
      });
    expect(await terminals()).toHaveLength(1);
    admin.socket.disconnect();
    const deadline = Date.now() + 15_000;
    while ((await terminals()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await terminals()).toHaveLength(0);
  });
});
