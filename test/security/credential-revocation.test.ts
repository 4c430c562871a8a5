import { join } from 'node:path';
import { LIVE_EVENTS, type OperationView, type SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from '../support/browser-session';
import { eventually } from '../support/http';
import { LiveClient, type LiveCredential } from '../support/live-client';
import { SshClient, TmuxTerminal, type SshCredential } from '../support/ssh-client';
import { TestStack } from '../support/stack';
import { tempDir } from '../support/temp-dir';

/**
 * Threat: a person who lost access (an admin disabled them, locked their site or removed them from
 * it, their password was changed because it leaked, their session expired) keeps what they had
 * open — a browser terminal, a log stream, an SSH session, an API token, another browser's
 * session — or slips in with a shell token handed out just before. Every one of these must end
 * within seconds, on the real stack: Socket.IO relay, orchestrator, shell and the OpenSSH client.
 */

const PASSWORD = (username: string) => `${username} long password 1`;
type ErrorBody = { error: { code: string; message: string } };

/** What one person has open at once: a dashboard connection with a terminal and a log stream, and an SSH session. */
interface OpenAccess {
  live: LiveClient;
  terminal: string;
  logs: string;
  ssh: TmuxTerminal;
}

describe('credentials end when they should: streams, SSH sessions, tokens and sessions', () => {
  let stack: TestStack;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ssh: SshClient;
  let site: SiteView;
  /** A static site: its terminals and SSH sessions run in terminal containers, which locking it leaves alone. */
  let staticSite: SiteView;
  const ids: Record<string, number> = {};
  const tokens: Record<string, string> = {};
  const clients: LiveClient[] = [];
  const screens: TmuxTerminal[] = [];
  const baseUrl = () => `http://127.0.0.1:${stack.ports.manager}`;
  const password = (username: string): SshCredential => ({ password: PASSWORD(username) });

  async function connect(credential: LiveCredential | string): Promise<LiveClient> {
    const client = await LiveClient.connect(stack.ports.manager, credential);
    clients.push(client);
    return client;
  }

  /** An interactive SSH session in `site`, at its shell prompt. */
  async function sshSession(username: string, siteName = site.name): Promise<TmuxTerminal> {
    const screen = await TmuxTerminal.start(
      ssh.interactiveArgs(`${username}+${siteName}`, password(username)),
      ssh.env(password(username)),
    );
    screens.push(screen);
    await screen.send('echo "in-$((6 * 7))"');
    await screen.send('Enter', false);
    await screen.waitFor(/^in-42/m);
    return screen;
  }

  /** Opens a terminal (answering) and a log stream of the site as `username`, and an SSH session. */
  async function openEverything(username: string, credential: LiveCredential | string = tokens[username] ?? ''): Promise<OpenAccess> {
    const live = await connect(credential);
    const terminal = await live.opened({ kind: 'terminal', siteId: site.id });
    live.socket.emit(LIVE_EVENTS.input, { streamId: terminal, data: 'echo "term-$((6 * 7))"\n' });
    await live.until(() => /term-42/.test(live.output.get(terminal) ?? ''), 'the terminal to answer');
    const logs = await live.opened({ kind: 'logs', siteId: site.id, tail: 5 });
    return { live, terminal, logs, ssh: await sshSession(username) };
  }

  /** The SSH session printed `line` and ended (the client exited). */
  async function sshEnded(screen: TmuxTerminal, line: RegExp): Promise<void> {
    await screen.waitFor(line, 10_000);
    const status = await eventually(
      () => screen.exitStatus(),
      (value) => value !== undefined,
      10_000,
    );
    expect(status).toBeDefined();
  }

  async function signedIn(username: string, passwordText = PASSWORD(username)): Promise<BrowserSession> {
    const session = new BrowserSession(baseUrl());
    const answer = await session.login(username, passwordText);
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    return session;
  }

  async function finished(operation: { id: number } | null | undefined): Promise<OperationView> {
    const done = await stack.waitForOperation<OperationView>(operation?.id ?? 0, undefined, 120_000);
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    return done;
  }

  beforeAll(async () => {
    dir = await tempDir('revocation');
    stack = await TestStack.start('revocation', { shell: true, env: { DAIS_SHELL_FAILURE_DELAY_MS: '100' } });
    ssh = await SshClient.create(stack.ports.shell, join(stack.stateDir, 'shell', 'host-keys'), dir.path);
    const created = await stack.api<SiteView>('POST', '/api/sites', { name: 'shared', type: 'dynamic', image: 'busybox' });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    site = created.json;
    staticSite = await stack.createSite('second');
    await finished(site.operation);
    await finished(staticSite.operation);
    for (const username of ['dora', 'pete', 'ada', 'mona', 'lena', 'rita']) {
      const user = await stack.api<{ id: number }>('POST', '/api/users', { username, password: PASSWORD(username) });
      expect(user.status).toBe(201);
      ids[username] = user.json.id;
      expect((await stack.api('POST', `/api/sites/${site.id}/members`, { username })).status).toBe(201);
      const browser = await signedIn(username);
      tokens[username] = (await browser.request<{ token: string }>('POST', '/api/tokens', { name: 'script' })).json.token;
    }
    // dora has two sites, so the shell shows her a menu (and hands her a token for each); lena and rita own the static site too.
    for (const username of ['dora', 'lena', 'rita']) {
      expect((await stack.api('POST', `/api/sites/${staticSite.id}/members`, { username })).status).toBe(201);
    }
  }, 240_000);

  afterAll(async () => {
    for (const client of clients) client.socket.disconnect();
    for (const screen of screens) await screen.stop();
    await stack.stop();
    await dir.remove();
  });

  it('disabling a user ends their connections, streams and SSH sessions at once, and the shell token they hold at the menu', async () => {
    const open = await openEverything('dora');
    const menu = await TmuxTerminal.start(ssh.interactiveArgs('dora', password('dora')), ssh.env(password('dora')));
    screens.push(menu);
    await menu.waitFor(/Site number \(1-2\)/);
    const started = Date.now();
    expect((await stack.api('PATCH', `/api/users/${ids.dora}`, { disabled: true })).status).toBe(200);

    await open.live.until(() => open.live.disconnected, 'the dashboard connection to end', 10_000);
    expect(open.live.sessionEnded).toMatchObject({ reason: expect.stringContaining('sign in again') });
    await sshEnded(open.ssh, /an admin disabled your account/);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(10_000);
    // The menu was shown before: the token it holds for each site was issued before the disable.
    await menu.send('1');
    await menu.send('Enter', false);
    await sshEnded(menu, /an admin disabled your account/);
    expect((await stack.api('GET', '/api/auth/me', undefined, tokens.dora)).status).toBe(401);
    await expect(connect(tokens.dora ?? '')).rejects.toThrow();
  });

  it('a password change with "end other sessions" ends the other browser, its streams, the API tokens and SSH; this session stays', async () => {
    const here = await signedIn('pete');
    const elsewhere = await signedIn('pete');
    const origin = baseUrl();
    const mine = await connect({ cookie: here.cookieHeader, origin });
    const theirs = await openEverything('pete', { cookie: elsewhere.cookieHeader, origin });
    const changed = await here.request('POST', '/api/auth/password', {
      currentPassword: PASSWORD('pete'),
      newPassword: 'a brand new secret for him',
    });
    expect(changed.status, JSON.stringify(changed.json)).toBe(204);

    await theirs.live.until(() => theirs.live.disconnected, 'the other browser to be signed out', 10_000);
    await sshEnded(theirs.ssh, /your password changed/);
    expect((await elsewhere.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await stack.api('GET', '/api/auth/me', undefined, tokens.pete)).status).toBe(401);
    expect((await here.request('GET', '/api/auth/me')).status).toBe(200);
    expect(mine.socket.connected).toBe(true);
    expect(await mine.open({ kind: 'status', siteId: site.id })).toMatchObject({ ok: true });

    // Choosing to keep them: another session and a new token survive the next change.
    const other = await signedIn('pete', 'a brand new secret for him');
    const token = (await here.request<{ token: string }>('POST', '/api/tokens', { name: 'kept' })).json.token;
    const kept = await here.request('POST', '/api/auth/password', {
      currentPassword: 'a brand new secret for him',
      newPassword: 'the third secret of his',
      endOtherSessions: false,
    });
    expect(kept.status).toBe(204);
    expect((await other.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await stack.api('GET', '/api/auth/me', undefined, token)).status).toBe(200);
  });

  it("an admin's password reset ends the person's sessions and tokens by default, and keeps them when asked", async () => {
    const browser = await signedIn('ada');
    const reset = await stack.api('PATCH', `/api/users/${ids.ada}`, { password: 'reset by the admin 1' });
    expect(reset.status).toBe(200);
    expect((await browser.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await stack.api('GET', '/api/auth/me', undefined, tokens.ada)).status).toBe(401);

    const again = await signedIn('ada', 'reset by the admin 1');
    const token = (await again.request<{ token: string }>('POST', '/api/tokens', { name: 'kept' })).json.token;
    const keep = await stack.api('PATCH', `/api/users/${ids.ada}`, { password: 'reset by the admin 2', keepSessions: true });
    expect(keep.status).toBe(200);
    expect((await again.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await stack.api('GET', '/api/auth/me', undefined, token)).status).toBe(200);
    const alone = await stack.api<ErrorBody>('PATCH', `/api/users/${ids.ada}`, { keepSessions: true });
    expect(alone.status).toBe(400);
  });

  it('removing a member ends their terminal and SSH session in the site, and the operation they started is no longer theirs to retry', async () => {
    // (Restarting first: a restart ends the sessions in the container by itself.)
    const restart = await stack.api<OperationView>('POST', `/api/sites/${site.id}/restart`, undefined, tokens.mona);
    expect(restart.status).toBe(202);
    await finished(restart.json);
    await stack.database.query(`update "Operation" set state = 'failed' where id = $1`, [restart.json.id]);
    const open = await openEverything('mona');

    expect((await stack.api('DELETE', `/api/sites/${site.id}/members/${ids.mona}`)).status).toBe(204);
    await open.live.until(
      () => [open.terminal, open.logs].every((id) => open.live.closeOf(id)?.code === 'SITE_NOT_FOUND'),
      'both streams to close',
      10_000,
    );
    await sshEnded(open.ssh, /no longer a member of this site/);
    // She may still see the operation she requested, but retrying it would change a site that is not hers.
    const retry = await stack.api<ErrorBody>('POST', `/api/operations/${restart.json.id}/retry`, undefined, tokens.mona);
    expect(retry.status).toBe(404);
    expect(retry.json.error.code).toBe('SITE_NOT_FOUND');
    expect((await stack.api<OperationView>('GET', `/api/operations/${restart.json.id}`)).json.state).toBe('failed');
  });

  it('retrying a repair needs an admin, as starting one does', async () => {
    const repair = await stack.api<OperationView>('POST', `/api/sites/${site.id}/repair`);
    await finished(repair.json);
    await stack.database.query(`update "Operation" set state = 'failed' where id = $1`, [repair.json.id]);
    const refused = await stack.api<ErrorBody>('POST', `/api/operations/${repair.json.id}/retry`, undefined, tokens.rita);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('FORBIDDEN');
    expect((await stack.api<OperationView>('GET', `/api/operations/${repair.json.id}`)).json.state).toBe('failed');
    expect((await stack.api('POST', `/api/operations/${repair.json.id}/retry`)).status).toBe(202);
    await finished(repair.json);
  });

  it("locking a site ends its owners' streams and SSH sessions (an admin's stay), and its owners can no longer retry", async () => {
    // A static site, whose terminals run in terminal containers: locking a dynamic site also stops its
    // container, which would end the sessions in it by itself and prove nothing about the revocation.
    const failed = staticSite.operation?.id ?? 0;
    await stack.database.query(`update "Operation" set state = 'failed' where id = $1`, [failed]);
    const live = await connect(tokens.lena ?? '');
    const streams = [
      await live.opened({ kind: 'terminal', siteId: staticSite.id }),
      await live.opened({ kind: 'status', siteId: staticSite.id }),
      await live.opened({ kind: 'files', siteId: staticSite.id, path: '/public' }),
    ];
    const screen = await sshSession('lena', staticSite.name);
    const admin = await connect(stack.adminToken);
    const adminStreams = [
      await admin.opened({ kind: 'terminal', siteId: staticSite.id }),
      await admin.opened({ kind: 'status', siteId: staticSite.id }),
    ];

    const locked = await stack.api<SiteView>('PATCH', `/api/sites/${staticSite.id}`, { availability: 'disabled' });
    expect(locked.status).toBe(202);
    await live.until(() => streams.every((id) => live.closeOf(id)?.code === 'SITE_LOCKED'), "the owner's streams to close", 10_000);
    await sshEnded(screen, /an admin locked this site/);
    for (const kind of ['terminal', 'status', 'files']) {
      expect(await live.open({ kind, siteId: staticSite.id })).toMatchObject({ ok: false, error: { code: 'SITE_LOCKED' } });
    }
    await finished(locked.json.operation);
    expect(adminStreams.map((id) => admin.closeOf(id))).toEqual([undefined, undefined]);
    // Seeing the site is not the right to change it: a failed operation of a locked site stays failed.
    const retry = await stack.api<ErrorBody>('POST', `/api/operations/${failed}/retry`, undefined, tokens.rita);
    expect(retry.status).toBe(403);
    expect(retry.json.error.code).toBe('SITE_LOCKED');
    expect((await stack.api<OperationView>('GET', `/api/operations/${failed}`)).json.state).toBe('failed');
  });
});

describe('an expired session ends its live connection without waiting for another request', () => {
  let stack: TestStack;
  let siteId: number;

  beforeAll(async () => {
    // Sessions live 4 s here (DAIS_SESSION_TTL_SECONDS): what expires is the session, not a sleep of the test.
    stack = await TestStack.start('session-expiry', { env: { DAIS_SESSION_TTL_SECONDS: '4' } });
    const site = await stack.createSite('expiring');
    siteId = site.id;
    await stack.waitForOperation(site.operation?.id ?? 0);
    expect((await stack.api('POST', '/api/users', { username: 'sam', password: PASSWORD('sam') })).status).toBe(201);
    expect((await stack.api('POST', `/api/sites/${siteId}/members`, { username: 'sam' })).status).toBe(201);
  }, 120_000);

  afterAll(() => stack.stop());

  it('closes the terminal and status stream of a browser whose session expired, and the cookie stops working', async () => {
    const browser = new BrowserSession(`http://127.0.0.1:${stack.ports.manager}`);
    expect((await browser.login('sam', PASSWORD('sam'))).status).toBe(200);
    const signedInAt = Date.now();
    const live = await LiveClient.connect(stack.ports.manager, {
      cookie: browser.cookieHeader,
      origin: `http://127.0.0.1:${stack.ports.manager}`,
    });
    try {
      const terminal = await live.opened({ kind: 'terminal', siteId });
      await live.opened({ kind: 'status', siteId });
      live.socket.emit(LIVE_EVENTS.input, { streamId: terminal, data: 'echo "alive-$((6 * 7))"\n' });
      await live.until(() => /alive-42/.test(live.output.get(terminal) ?? ''), 'the terminal to answer');
      await live.until(() => live.disconnected, 'the connection to end', 15_000);
      expect(live.sessionEnded).toMatchObject({ reason: expect.stringContaining('expired') });
      // Not before the session's 4 s were up, and within seconds after.
      expect(Date.now() - signedInAt).toBeGreaterThanOrEqual(3_900);
      expect((await browser.request('GET', '/api/auth/me')).status).toBe(401);
    } finally {
      live.socket.disconnect();
    }
  });
});
