import { chmod, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { issueShellToken, loadOwnPrivateKey, type OperationView, type SiteView, type TerminalServerMessage } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@dais/shared';
import { createPrivateKey } from 'node:crypto';
import { signedFetch } from './support/signed-fetch';
import { TestStack } from './support/stack';
import { openAccepted, openSigned, type LiveSocket } from './support/ws-client';

/** A run.sh that prints known lines (stdout and stderr) and then serves public/. */
const LOGGING_RUN_SH =
  '#!/bin/sh\nfor i in 1 2 3 4 5; do echo "line-$i"; done\nsleep 1\necho "to-stderr" >&2\nexec httpd -f -p "$PORT" -h /site/public\n';
const IDLE_TIMEOUT_MS = 6_000;
const HEARTBEAT_MS = 1_000;
const MAX_SESSIONS = 4;

describe('orchestrator websockets (terminal, logs, status, files, the shell session)', () => {
  let stack: TestStack;
  let baseUrl: string;
  let staticSite: SiteView;
  let dynamicSite: SiteView;
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const asManager = () => stack.signer('manager', 'orchestrator');
  const asShell = () => stack.signer('shell', 'orchestrator');
  const uidOf = (siteId: number) => 200_000 + siteId;
  const siteDir = (id: number) => join(stack.stateDir, 'orchestrator/data/sites', String(id));
  const done = (operation: { id: number } | null | undefined) =>
    stack.waitForOperation<OperationView>(operation?.id ?? 0, undefined, 120_000);
  const token = (siteId: number, ttlMs = 30_000, now = Date.now()) =>
    issueShellToken(loadOwnPrivateKey(join(stack.stateDir, 'keys'), 'manager'), { siteId, userId: 7, username: 'alice' }, ttlMs, now);
  const terminalContainers = async (siteId: number) =>
    docker.listContainers({
      all: true,
      filters: { label: [`dais.terminal-for=${siteId}`, `dais.managed-by=${stack.env.DAIS_SITE_NAME_PREFIX ?? ''}`] },
    });
  const exitOf = async (socket: LiveSocket) => (await socket.message('exit', 20_000)).code;

  let sizeProbes = 0;
  /** Asks the terminal its size until it says `rows cols`: a resize reaches the engine on its own, typed input does not wait for it. */
  async function untilSize(terminal: LiveSocket, size: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      // Numbered across calls: an earlier answer in the output must never be taken for this one.
      const probe = ++sizeProbes;
      const answer = new RegExp(`(\\d+ \\d+)\\s+size-probe-${probe}\\s`);
      terminal.type(`stty size; echo size-probe-${probe}\n`);
      await terminal.untilOutput(answer);
      if (answer.exec(terminal.stdout)?.[1] === size) return;
      if (Date.now() > deadline) throw new Error(`the terminal never said ${size}: ${JSON.stringify(terminal.stdout.slice(-300))}`);
    }
  }

  /** Opens a terminal, trying again while the site is at its session limit (a closed session frees its place a moment later). */
  async function openWhenPlaceFree(path: string): Promise<LiveSocket> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const result = await openSigned(baseUrl, asManager(), path);
      if (!('refused' in result)) return result.ws;
      if (result.refused.status !== 429 || Date.now() > deadline)
        throw new Error(`upgrade of ${path} refused: ${result.refused.status} ${JSON.stringify(result.refused.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    stack = await TestStack.start('orchestrator-ws', {
      env: {
        DAIS_TERMINAL_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
        DAIS_WS_HEARTBEAT_MS: String(HEARTBEAT_MS),
        DAIS_STATUS_POLL_MS: '1000',
        DAIS_TERMINAL_MAX_PER_SITE: String(MAX_SESSIONS),
      },
    });
    baseUrl = `http://127.0.0.1:${stack.ports.orchestrator}`;
    staticSite = await stack.createSite('plain');
    const created = await stack.api<SiteView>('POST', '/api/sites', { name: 'webapp', type: 'dynamic', image: 'busybox' });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    dynamicSite = created.json;
    expect((await done(staticSite.operation)).state).toBe('succeeded');
    expect((await done(dynamicSite.operation)).state).toBe('succeeded');
    await writeFile(join(siteDir(dynamicSite.id), 'run.sh'), LOGGING_RUN_SH);
    await chmod(join(siteDir(dynamicSite.id), 'run.sh'), 0o755);
    const restarted = await stack.api<OperationView>('POST', `/api/sites/${dynamicSite.id}/restart`);
    expect((await done(restarted.json)).state).toBe('succeeded');
  }, 240_000);

  afterAll(async () => {
    await stack.stop();
  });

  describe('every upgrade is signed', () => {
    const terminalPath = () => `/ws/sites/${staticSite.id}/terminal?cols=80&rows=24`;
    const refusal = async (...args: Parameters<typeof openSigned>) => {
      const result = await openSigned(...args);
      if (!('refused' in result)) {
        result.ws.close();
        throw new Error('the upgrade was accepted');
      }
      return result.refused;
    };

    it('refuses an unsigned upgrade with 401 and a JSON error, before upgrading', async () => {
      expect(await refusal(baseUrl, null, terminalPath())).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_MISSING' } } });
    });

    it("refuses an upgrade signed with the manager's name but another key", async () => {
      const intruder = createPrivateKey(generateSigningKeyPair().privateKeyPem);
      expect(await refusal(baseUrl, { ...asManager(), privateKey: intruder }, terminalPath())).toMatchObject({
        status: 401,
        body: { error: { code: 'SIGNATURE_INVALID' } },
      });
    });

    it('refuses a replayed upgrade and one signed for another path', async () => {
      const first = await openSigned(baseUrl, asManager(), `/ws/sites/${staticSite.id}/status`);
      expect('ws' in first).toBe(true);
      if ('ws' in first) first.ws.close();
      expect(await refusal(baseUrl, null, `/ws/sites/${staticSite.id}/status`, { reuse: first.headers })).toMatchObject({
        status: 401,
        body: { error: { code: 'SIGNATURE_REPLAYED' } },
      });
      const signedForStatus = await openSigned(baseUrl, asManager(), `/ws/sites/${staticSite.id}/status`);
      if ('ws' in signedForStatus) signedForStatus.ws.close();
      const other = await openSigned(baseUrl, null, terminalPath(), { reuse: signedForStatus.headers });
      expect('refused' in other && other.refused).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_INVALID' } } });
    });

    it('refuses an expired upgrade, one for another component and an unknown caller', async () => {
      expect(await refusal(baseUrl, asManager(), terminalPath(), { now: Date.now() - 5 * 60_000 })).toMatchObject({
        status: 401,
        body: { error: { code: 'SIGNATURE_EXPIRED' } },
      });
      expect(await refusal(baseUrl, stack.signer('manager', 'router'), terminalPath())).toMatchObject({
        status: 401,
        body: { error: { code: 'AUDIENCE_MISMATCH' } },
      });
      expect(await refusal(baseUrl, stack.signer('router', 'orchestrator'), terminalPath())).toMatchObject({
        status: 401,
        body: { error: { code: 'CALLER_UNKNOWN' } },
      });
    });

    it("refuses the shell's identity everywhere but /ws/shell-server/, and the manager there", async () => {
      expect(await refusal(baseUrl, asShell(), `/ws/sites/1/terminal`)).toMatchObject({
        status: 403,
        body: { error: { code: 'ROUTE_FORBIDDEN' } },
      });
      expect(await refusal(baseUrl, asShell(), `/ws/sites/${staticSite.id}/logs?tail=5`)).toMatchObject({ status: 403 });
      expect((await signedFetch(baseUrl, asShell(), 'GET', '/v1/health')).status).toBe(403);
      expect((await signedFetch(baseUrl, asShell(), 'GET', `/v1/sites/${staticSite.id}/status`)).status).toBe(403);
      expect(
        await refusal(baseUrl, asManager(), `/ws/shell-server/${staticSite.id}?mode=shell`, {
          headers: { 'x-dais-shell-token': token(staticSite.id) },
        }),
      ).toMatchObject({ status: 403, body: { error: { code: 'ROUTE_FORBIDDEN' } } });
    });

    it('answers unknown routes, unknown sites and bad queries with coded errors', async () => {
      expect(await refusal(baseUrl, asManager(), '/ws/sites/1/nothing')).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND' } },
      });
      expect(await refusal(baseUrl, asManager(), '/ws/sites/999999/terminal')).toMatchObject({
        status: 404,
        body: { error: { code: 'SITE_NOT_FOUND' } },
      });
      expect(
        await refusal(baseUrl, asManager(), `/ws/sites/${staticSite.id}/terminal?term=${encodeURIComponent('x;rm -rf /')}`),
      ).toMatchObject({
        status: 400,
        body: { error: { code: 'VALIDATION_FAILED' } },
      });
      expect(await refusal(baseUrl, asManager(), `/ws/sites/${staticSite.id}/logs?tail=5`)).toMatchObject({ status: 400 });
    });
  });

  describe('terminal', () => {
    it("opens a shell in a dynamic site's own container as the site's uid, in /site, HOME in .home", async () => {
      const terminal = await openAccepted(baseUrl, asManager(), `/ws/sites/${dynamicSite.id}/terminal?cols=120&rows=40`);
      await terminal.message('ready');
      // Its own container: no stand-in notice.
      expect(terminal.messages.find((message) => message.type === 'ready')).toEqual({ type: 'ready' });
      const own = await docker.getContainer(`${stack.env.DAIS_SITE_NAME_PREFIX ?? ''}${dynamicSite.id}`).inspect();
      terminal.type('id -u; pwd; echo "home=$HOME"; ls /site; hostname\n');
      // The hostname line comes last: wait for it too (output arrives in pieces).
      await terminal.untilOutput(
        new RegExp(`${uidOf(dynamicSite.id)}[\\s\\S]*/site[\\s\\S]*home=/site/.home[\\s\\S]*public[\\s\\S]*${own.Config.Hostname}`),
      );
      expect(await terminalContainers(dynamicSite.id)).toHaveLength(0);
      terminal.type('exit 7\n');
      expect(await exitOf(terminal)).toBe(7);
      expect((await terminal.closed).code).toBe(1000);
    });

    it('gives a static site a terminal container with its folder and uid, removed when the session ends', async () => {
      const terminal = await openAccepted(baseUrl, asManager(), `/ws/sites/${staticSite.id}/terminal`);
      await terminal.message('ready');
      expect(await terminalContainers(staticSite.id)).toHaveLength(1);
      const [info] = await terminalContainers(staticSite.id);
      const inspected = await docker.getContainer(info?.Id ?? '').inspect();
      expect(inspected.HostConfig).toMatchObject({ ReadonlyRootfs: true, CapDrop: ['ALL'], Privileged: false, PidsLimit: 256 });
      expect(inspected.HostConfig.Binds).toEqual([`${siteDir(staticSite.id)}:/site:rw`]);
      terminal.type('id -u; ls /site/public\n');
      await terminal.untilOutput(new RegExp(`${uidOf(staticSite.id)}[\\s\\S]*index.html`));
      terminal.close();
      await terminal.closed;
      const deadline = Date.now() + 15_000;
      while ((await terminalContainers(staticSite.id)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await terminalContainers(staticSite.id)).toHaveLength(0);
    });

    it('clamps resizes to 0×0 and 100000×100000 and ignores frames that are not valid messages', async () => {
      const terminal = await openAccepted(baseUrl, asManager(), `/ws/sites/${dynamicSite.id}/terminal?cols=0&rows=0`);
      await terminal.message('ready');
      terminal.control('this is not JSON {');
      terminal.control({ type: 'resize', cols: 'wide', rows: 3 });
      terminal.control({ type: 'launch-missiles' });
      terminal.ws.send(Buffer.of(9, 1, 2, 3), { binary: true });
      terminal.control({ type: 'resize', cols: 100_000, rows: 100_000 });
      await untilSize(terminal, '500 1000');
      terminal.control({ type: 'resize', cols: 0, rows: 0 });
      await untilSize(terminal, '2 2');
      terminal.control({ type: 'ping' });
      await terminal.message('pong');
      terminal.type('exit 0\n');
      expect(await exitOf(terminal)).toBe(0);
    });

    it('refuses more process sessions per site than the limit, and frees a place when one ends', async () => {
      const path = `/ws/sites/${dynamicSite.id}/terminal`;
      const open: LiveSocket[] = [];
      // Earlier tests' sessions end on their own time: until they have, a place may still be taken.
      for (let i = 0; i < MAX_SESSIONS; i++) open.push(await openWhenPlaceFree(path));
      expect(await openSigned(baseUrl, asManager(), path)).toMatchObject({
        refused: { status: 429, body: { error: { code: 'RATE_LIMITED' } } },
      });
      open[0]?.close();
      await open[0]?.closed;
      open.push(await openWhenPlaceFree(path));
      for (const socket of open) socket.close();
      await Promise.all(open.map((socket) => socket.closed));
    });

    it('drops a peer that stops answering pings (heartbeat)', async () => {
      const terminal = await openAccepted(baseUrl, asManager(), `/ws/sites/${dynamicSite.id}/terminal`, { autoPong: false });
      await terminal.message('ready');
      const started = Date.now();
      const { code } = await terminal.closed;
      expect(code).toBe(1006);
      expect(Date.now() - started).toBeLessThan(HEARTBEAT_MS * 4);
    });

    it('closes a session idle for longer than the idle timeout, saying why', async () => {
      const terminal = await openAccepted(baseUrl, asManager(), `/ws/sites/${dynamicSite.id}/terminal`);
      const started = Date.now();
      const error = await terminal.message('error', IDLE_TIMEOUT_MS * 3);
      expect(error).toMatchObject({ code: 'SESSION_TIMED_OUT' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 500);
      await terminal.closed;
    });
  });

  describe('logs and status', () => {
    it('follows the container logs starting with the last N lines, stdout and stderr apart', async () => {
      const logs = await openAccepted(baseUrl, asManager(), `/ws/sites/${dynamicSite.id}/logs?tail=2`);
      await logs.until(() => logs.stdout.includes('line-5') && logs.stderr.includes('to-stderr'), 'the last two lines');
      expect(logs.stdout).not.toContain('line-3');
      logs.close();
      expect(await openSigned(baseUrl, asManager(), `/ws/sites/${dynamicSite.id}/logs?tail=999999999`)).toMatchObject({
        refused: { status: 400 },
      });
    });

    it('pushes the status at once and again when the site restarts', async () => {
      const status = await openAccepted(baseUrl, asManager(), `/ws/sites/${dynamicSite.id}/status`);
      const first = await status.message('status');
      expect(first.status).toMatchObject({ siteId: dynamicSite.id, state: expect.stringMatching(/running|starting/) });
      const restarted = await stack.api<OperationView>('POST', `/api/sites/${dynamicSite.id}/restart`);
      expect((await done(restarted.json)).state).toBe('succeeded');
      await status.until(
        () => status.messages.some((m) => m.type === 'status' && m.status.startedAt !== first.status.startedAt),
        'a status with a new start time',
        30_000,
      );
      status.close();
    });
  });

  describe('file events', () => {
    it('reports files added, changed and removed in the open folder', async () => {
      const files = await openAccepted(baseUrl, asManager(), `/ws/sites/${staticSite.id}/files?path=${encodeURIComponent('/public')}`);
      await files.message('ready');
      const path = join(siteDir(staticSite.id), 'public', 'new.txt');
      const seen = (event: string) => () =>
        files.messages.some((m) => m.type === 'file-event' && m.event === event && m.path === '/public/new.txt');
      await writeFile(path, 'one');
      await files.until(seen('add'), 'an add event');
      await writeFile(path, 'two');
      await files.until(seen('change'), 'a change event');
      await rm(path);
      await files.until(seen('remove'), 'a remove event');
      files.close();
    });

    it('refuses to watch outside the site folder or through a link', async () => {
      await symlink('/etc', join(siteDir(staticSite.id), 'private', 'etc-link'));
      for (const hostile of ['/private/etc-link', '/public/index.html', '/nope', '/public/\u0000']) {
        const result = await openSigned(baseUrl, asManager(), `/ws/sites/${staticSite.id}/files?path=${encodeURIComponent(hostile)}`);
        expect('refused' in result && result.refused.status).toBeGreaterThanOrEqual(400);
      }
      expect(
        await openSigned(baseUrl, asManager(), `/ws/sites/${staticSite.id}/files?path=${encodeURIComponent('/../../..')}`),
      ).toMatchObject({
        refused: { status: 403, body: { error: { code: 'PATH_FORBIDDEN' } } },
      });
    });
  });

  describe('a dynamic site that is not running', () => {
    it("gets a terminal container with the site's folder and uid, since there is no container to enter", async () => {
      const stopped = await stack.api<OperationView>('POST', `/api/sites/${dynamicSite.id}/stop`);
      expect((await done(stopped.json)).state).toBe('succeeded');
      const terminal = await openAccepted(baseUrl, asManager(), `/ws/sites/${dynamicSite.id}/terminal`);
      await terminal.message('ready');
      expect(terminal.messages.find((message) => message.type === 'ready')).toEqual({ type: 'ready', siteRunning: false });
      expect(await terminalContainers(dynamicSite.id)).toHaveLength(1);
      terminal.type('id -u; ls /site\n');
      await terminal.untilOutput(new RegExp(`${uidOf(dynamicSite.id)}[\\s\\S]*run\\.sh`));
      terminal.type('exit 0\n');
      expect(await exitOf(terminal)).toBe(0);
      const started = await stack.api<OperationView>('POST', `/api/sites/${dynamicSite.id}/start`);
      expect((await done(started.json)).state).toBe('succeeded');
    });
  });

  describe('/ws/shell-server/:siteId', () => {
    const shellPath = (siteId: number, query: string) => `/ws/shell-server/${siteId}?${query}`;
    const exec = (command: string, tty = false) => `mode=exec&command=${Buffer.from(command).toString('base64url')}${tty ? '&tty=1' : ''}`;
    const open = (siteId: number, query: string, shellToken: string | null) =>
      openSigned(baseUrl, asShell(), shellPath(siteId, query), shellToken ? { headers: { 'x-dais-shell-token': shellToken } } : {});

    it('runs a command with a valid token: separate stdout and stderr, the exit code; the token works once', async () => {
      const shellToken = token(dynamicSite.id);
      const result = await open(dynamicSite.id, exec('id -u; echo to-err >&2; exit 3'), shellToken);
      if (!('ws' in result)) throw new Error(JSON.stringify(result.refused));
      expect(await exitOf(result.ws)).toBe(3);
      expect(result.ws.stdout.trim()).toBe(String(uidOf(dynamicSite.id)));
      expect(result.ws.stderr.trim()).toBe('to-err');
      expect(result.ws.order[0]).toBe('ready');
      expect(result.ws.order.at(-1)).toBe('exit');
      expect(await open(dynamicSite.id, exec('id'), shellToken)).toMatchObject({
        refused: { status: 401, body: { error: { code: 'SHELL_TOKEN_INVALID' } } },
      });
    });

    it('passes stdin through and ends it with eof', async () => {
      const result = await open(staticSite.id, exec('tr a-z A-Z'), token(staticSite.id));
      if (!('ws' in result)) throw new Error(JSON.stringify(result.refused));
      result.ws.type('hello shell\n');
      result.ws.control({ type: 'eof' });
      expect(await exitOf(result.ws)).toBe(0);
      expect(result.ws.stdout).toBe('HELLO SHELL\n');
    });

    it('opens an interactive shell on a TTY', async () => {
      const result = await open(dynamicSite.id, 'mode=shell&cols=100&rows=30&term=xterm', token(dynamicSite.id));
      if (!('ws' in result)) throw new Error(JSON.stringify(result.refused));
      result.ws.type('stty size; echo "$TERM"; exit 4\n');
      expect(await exitOf(result.ws)).toBe(4);
      expect(result.ws.stdout).toMatch(/30 100[\s\S]*xterm/);
    });

    it('refuses a missing, expired, forged or other-site token', async () => {
      const refusedWith = (code: string) => ({ refused: { status: 401, body: { error: { code } } } });
      expect(await open(dynamicSite.id, exec('id'), null)).toMatchObject(refusedWith('SHELL_TOKEN_INVALID'));
      expect(await open(dynamicSite.id, exec('id'), token(dynamicSite.id, 30_000, Date.now() - 120_000))).toMatchObject(
        refusedWith('SHELL_TOKEN_EXPIRED'),
      );
      expect(await open(dynamicSite.id, exec('id'), token(staticSite.id))).toMatchObject(refusedWith('SHELL_TOKEN_INVALID'));
      const [payload] = token(dynamicSite.id).split('.');
      expect(await open(dynamicSite.id, exec('id'), `${payload ?? ''}.${Buffer.alloc(64).toString('base64url')}`)).toMatchObject(
        refusedWith('SHELL_TOKEN_INVALID'),
      );
    });

    it('serves SFTP requests inside the site folder and refuses hostile paths, touching nothing outside', async () => {
      const outside = join(stack.stateDir, 'outside');
      await mkdir(outside, { recursive: true });
      await writeFile(join(outside, 'secret.txt'), 'secret');
      await symlink(outside, join(siteDir(staticSite.id), 'public', 'out-link'));
      const result = await open(staticSite.id, 'mode=sftp', token(staticSite.id));
      if (!('ws' in result)) throw new Error(JSON.stringify(result.refused));
      const sftp = result.ws;
      await sftp.message('ready');
      let nextId = 1;
      const ask = async (request: object) => {
        const id = nextId++;
        sftp.control({ type: 'file', id, request });
        await sftp.until(() => sftp.messages.some((m) => m.type === 'file-reply' && m.id === id), `reply ${id}`);
        return sftp.messages.find((m) => m.type === 'file-reply' && m.id === id) as Extract<TerminalServerMessage, { type: 'file-reply' }>;
      };
      const write = await ask({
        op: 'write',
        path: '/public/hello.txt',
        offset: 0,
        data: Buffer.from('hi').toString('base64'),
        create: true,
      });
      expect(write.ok).toBe(true);
      expect(await ask({ op: 'read', path: '/public/hello.txt', offset: 0, length: 100 })).toMatchObject({
        ok: true,
        data: Buffer.from('hi').toString('base64'),
      });
      const hostile = [
        { op: 'read', path: '/public/out-link/secret.txt', offset: 0, length: 100 },
        { op: 'list', path: '/public/out-link' },
        { op: 'write', path: '/public/out-link/new.txt', offset: 0, data: 'eA==', create: true },
        { op: 'read', path: '/../../../../etc/passwd', offset: 0, length: 100 },
        { op: 'rename', from: '/public/hello.txt', to: '/public/out-link/hello.txt' },
        { op: 'chmod', path: '/public/hello.txt', mode: 0o4755 },
        { op: 'mkdir', path: '/public/out-link/made' },
        { op: 'stat', path: '/public/a\u0000b' },
      ];
      for (const request of hostile) {
        const reply = await ask(request);
        expect(reply, JSON.stringify(request)).toMatchObject({ ok: false });
        expect(['FORBIDDEN', 'NOT_FOUND', 'INVALID']).toContain(reply.error?.code);
      }
      expect((await readdir(outside)).sort()).toEqual(['secret.txt']);
      sftp.close();
    });
  });

  describe('shutdown', () => {
    it('ends every session and removes terminal containers when the orchestrator stops', async () => {
      const terminal = await openAccepted(baseUrl, asManager(), `/ws/sites/${staticSite.id}/terminal`);
      await terminal.message('ready');
      expect(await terminalContainers(staticSite.id)).toHaveLength(1);
      await stack.stopProcess('orchestrator');
      await terminal.closed;
      expect(await terminalContainers(staticSite.id)).toHaveLength(0);
    });
  });
});
