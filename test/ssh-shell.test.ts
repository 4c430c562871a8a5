import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OperationView, SiteView } from '@dais/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/http';
import { registerNewSshKey, SshClient, TmuxTerminal, type SshCredential } from './support/ssh-client';
import { TestStack } from './support/stack';
import { tempDir } from './support/temp-dir';

const run = promisify(execFile);

const password = (username: string): SshCredential => ({ password: `${username} long password 1` });
const WRONG = 'Wrong username or password.';

describe('the SSH shell, driven by the real OpenSSH client', () => {
  let stack: TestStack;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let client: SshClient;
  let aliceKey: SshCredential;
  const sites: Record<string, number> = {};
  const terminals: TmuxTerminal[] = [];

  const terminal = async (login: string, credential: SshCredential, size?: { cols: number; rows: number }) => {
    const started = await TmuxTerminal.start(client.interactiveArgs(login, credential), client.env(credential), size);
    terminals.push(started);
    return started;
  };

  beforeAll(async () => {
    dir = await tempDir('ssh-shell');
    // Failed sign-ins from one address slow every later one from it (all of these come from 127.0.0.1): keep the ceiling low.
    stack = await TestStack.start('ssh-shell', {
      shell: true,
      env: { DAIS_SHELL_FAILURE_DELAY_MS: '200', DAIS_SHELL_MAX_FAILURE_DELAY_MS: '1600' },
    });
    client = await SshClient.create(stack.ports.shell, join(stack.stateDir, 'shell', 'host-keys'), dir.path);
    for (const username of ['alice', 'bob', 'carol', 'dave']) {
      const created = await stack.api('POST', '/api/users', { username, password: `${username} long password 1` });
      expect(created.status).toBe(201);
    }
    for (const name of ['alpha', 'beta', 'gamma']) {
      const site = await stack.createSite(name);
      sites[name] = site.id;
      await stack.waitForOperation(site.operation?.id ?? 0);
    }
    // A dynamic site, stopped: sessions in it open beside it, in a stand-in container.
    const dynamic = await stack.api<SiteView>('POST', '/api/sites', { name: 'delta', type: 'dynamic', image: 'busybox' });
    expect(dynamic.status, JSON.stringify(dynamic.json)).toBe(202);
    sites.delta = dynamic.json.id;
    expect((await stack.waitForOperation<OperationView>(dynamic.json.operation?.id ?? 0)).state).toBe('succeeded');
    const stopped = await stack.api<OperationView>('POST', `/api/sites/${dynamic.json.id}/stop`);
    expect((await stack.waitForOperation<OperationView>(stopped.json.id)).state).toBe('succeeded');
    // alice: alpha and beta; bob: gamma; carol: nothing; dave: alpha and delta.
    for (const [site, member] of [
      ['alpha', 'alice'],
      ['beta', 'alice'],
      ['gamma', 'bob'],
      ['alpha', 'dave'],
      ['delta', 'dave'],
    ] as const) {
      expect((await stack.api('POST', `/api/sites/${sites[site]}/members`, { username: member })).status).toBe(201);
    }
    aliceKey = await registerNewSshKey(
      `http://127.0.0.1:${stack.ports.manager}`,
      { username: 'alice', password: 'alice long password 1' },
      dir.path,
    );
  });

  afterAll(async () => {
    for (const open of terminals) await open.stop();
    await stack.stop();
    await dir.remove();
  });

  describe('sign-in', () => {
    it('slows repeated failures down (per address and per name)', async () => {
      const timings: number[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const started = Date.now();
        const answer = await client.ssh('dave', { password: `guess ${attempt}` }, ['true']);
        expect(answer.code).toBe(255);
        timings.push(Date.now() - started);
      }
      // The first guess is held 0.2 s; the third waits 0.4 s before and 0.8 s after (doubling per failure).
      expect(timings[2]! - timings[0]!).toBeGreaterThan(700);
    });

    it('keeps the host keys setup made: running setup again changes nothing, and the client checks them', async () => {
      const keysDir = join(stack.stateDir, 'shell', 'host-keys');
      const before = await readFile(join(keysDir, 'ssh_host_ed25519_key'));
      const again = await run(process.execPath, ['scripts/setup-shell.mjs'], { env: { ...process.env, DAIS_STATE_DIR: stack.stateDir } });
      expect(again.stdout).toContain('✓ shell ed25519 host key');
      expect(await readFile(join(keysDir, 'ssh_host_ed25519_key'))).toEqual(before);
      // A client that expects another host key refuses to talk.
      const wrongHosts = join(dir.path, 'wrong_known_hosts');
      await writeFile(wrongHosts, `[127.0.0.1]:${stack.ports.shell} ${(await readFile(`${dir.path}/alice-key.pub`, 'utf8')).trim()}\n`);
      const impostor = await run(
        'ssh',
        ['-F', '/dev/null', '-o', `UserKnownHostsFile=${wrongHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes'].concat([
          '-p',
          String(stack.ports.shell),
          'alice@127.0.0.1',
          'true',
        ]),
      ).catch((error: unknown) => error);
      expect((impostor as { stderr: string }).stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    });

    it('a wrong password and an unknown user get the same one-line refusal', async () => {
      const wrong = await client.ssh('alice+alpha', { password: 'not the password' }, ['true']);
      const unknown = await client.ssh('nobody+alpha', { password: 'not the password' }, ['true']);
      expect(wrong.code).toBe(255);
      expect(unknown.code).toBe(255);
      expect(wrong.stderr).toContain(WRONG);
      expect(unknown.stderr).toContain(WRONG);
    });

    it('refuses user names with control characters, or too long, with one line, before asking for a password', async () => {
      const control = await client.ssh('al\u0001ice', password('alice'), ['true']);
      expect(control.code).toBe(255);
      expect(control.stderr).toContain('The user name contains control characters.');
      const long = await client.ssh(`alice+${'a'.repeat(200)}`, password('alice'), ['true']);
      expect(long.stderr).toContain('longer than 80 characters');
      const odd = await client.ssh('Alice', password('alice'), ['true']);
      expect(odd.stderr).toContain('Sign in as user, user+site or user/site');
      for (const answer of [control, long, odd]) expect(answer.stderr).not.toContain(WRONG);
    });

    it('a user who is not a member of the site is told so after signing in, and nothing runs', async () => {
      const answer = await client.ssh('alice+gamma', password('alice'), ['echo', 'should-not-run']);
      expect(answer.code).toBe(1);
      expect(answer.stderr.trim()).toBe('You have no site named gamma.');
      expect(answer.stdout).not.toContain('should-not-run');
    });

    it('a user without sites is told so', async () => {
      const answer = await client.ssh('carol', password('carol'), [], { tty: true });
      expect(answer.code).toBe(1);
      expect(answer.stdout + answer.stderr).toContain('You have no sites yet');
    });

    it('a command without a site, for someone with several sites, asks to name one', async () => {
      const answer = await client.ssh('alice', password('alice'), ['hostname']);
      expect(answer.code).toBe(1);
      expect(answer.stderr).toContain('name one, as in ssh you+site@host');
    });

    it('shows the menu of the user’s sites and leaves on q', async () => {
      const screen = await terminal('alice', password('alice'));
      const menu = await screen.waitFor(/Site number \(1-2\)/);
      expect(menu).toMatch(/[12]\) alpha/);
      expect(menu).toMatch(/[12]\) beta/);
      expect(menu).not.toContain('gamma');
      await screen.send('7');
      await screen.send('Enter', false);
      await screen.waitFor(/There is no site "7" in the list/);
      await screen.send('q');
      await screen.send('Enter', false);
      await eventually(
        () => screen.exitStatus(),
        (status) => status !== undefined,
      );
      expect(await screen.exitStatus()).toBe(0);
    });
  });

  describe('sessions in the site container', () => {
    it('key login runs a command inside the container and returns its exit code', async () => {
      const answer = await client.ssh('alice+alpha', aliceKey, ['hostname; id -u; ls /site; exit 3']);
      expect(answer.stderr).toBe('');
      expect(answer.code).toBe(3);
      const [hostname, uid, ...listing] = answer.stdout.trim().split('\n');
      expect(hostname).toMatch(/^[0-9a-z.-]+$/);
      expect(Number(uid)).not.toBe(0);
      expect(listing).toContain('public');
    });

    it('user/site works like user+site, with a password, and piped input reaches the command', async () => {
      const answer = await client.ssh('alice/beta', password('alice'), ['wc', '-l'], { input: 'one\ntwo\nthree\n' });
      expect(answer.code).toBe(0);
      expect(answer.stdout.trim()).toBe('3');
    });

    it('ssh -t with a command gets a terminal for it, and its exit code', async () => {
      // The client sends EOF at once (its stdin is empty): on a TTY that must not cut the output.
      const answer = await client.ssh('alice+alpha', aliceKey, ['tty; test -t 0 && echo stdin-is-a-tty; exit 4'], { tty: true });
      expect(answer.code).toBe(4);
      expect(answer.stdout).toMatch(/^\/dev\/pts\/\d+\r?$/m);
      expect(answer.stdout).toContain('stdin-is-a-tty');
    });

    it('a stopped site says so in one line, and the session still opens beside it with its files', async () => {
      const answer = await client.ssh('dave+delta', password('dave'), ['ls /site; id -u']);
      expect(answer.code, answer.stderr).toBe(0);
      expect(answer.stderr.trim()).toBe(
        "delta is not running: this session is in a stand-in container with the site's files. Start the site in the dashboard to reach its processes.",
      );
      expect(answer.stdout).toContain('public');
      // A running site opens without the notice.
      const running = await client.ssh('dave+alpha', password('dave'), ['true']);
      expect(running).toMatchObject({ code: 0, stderr: '' });
    });

    it('menu choice opens an interactive shell with resize, TERM, Ctrl-C and EOF', async () => {
      const screen = await terminal('alice', password('alice'), { cols: 100, rows: 30 });
      await screen.waitFor(/Site number/);
      await screen.send('1');
      await screen.send('Enter', false);
      await screen.waitFor(/[$#]\s*$/m);
      await screen.send('stty size; echo "term=$TERM"');
      await screen.send('Enter', false);
      await screen.waitFor(/^30 100$/m);
      // The echo's line may reach the pane a moment after stty's.
      await screen.waitFor(/^term=(screen|tmux)/m);
      await screen.resize(120, 40);
      await screen.send('clear; stty size');
      await screen.send('Enter', false);
      await screen.waitFor(/^40 120$/m);
      // Ctrl-C only once the job runs in the foreground: sent while the shell still reads the line, it is
      // swallowed there and the sleep then holds the prompt for 30 s.
      await screen.send("sh -c 'echo sleeping-$((1+1)); exec sleep 30'");
      await screen.send('Enter', false);
      await screen.waitFor(/^sleeping-2$/m);
      await screen.send('C-c', false);
      await screen.send('echo after-$((40+2))');
      await screen.send('Enter', false);
      await screen.waitFor(/^after-42$/m, 5_000);
      await screen.send('C-d', false);
      await eventually(
        () => screen.exitStatus(),
        (status) => status !== undefined,
      );
      expect(await screen.exitStatus()).toBe(0);
    });

    it('SFTP uploads public/index.html and the router serves it', async () => {
      const local = join(dir.path, 'index.html');
      await writeFile(local, '<h1>uploaded over sftp</h1>\n');
      const answer = await client.sftp('alice+alpha', aliceKey, [`put ${local} public/index.html`, 'ls -l public']);
      expect(answer.code, answer.stderr).toBe(0);
      expect(answer.stdout).toContain('index.html');
      const page = await eventually(
        () => stack.visit('alpha.dais.localhost'),
        (response) => response.body.includes('uploaded over sftp'),
      );
      expect(page.status).toBe(200);
    });

    it('SFTP outside the site folder is denied and touches nothing, through .. or a link made in the container', async () => {
      const local = join(dir.path, 'escape.txt');
      await writeFile(local, 'escape\n');
      const target = `dais-escape-${Date.now()}`;
      // A link the site user may make inside the container: to the container's / (the host's / on the host side).
      const link = await client.ssh('alice+alpha', aliceKey, ['ln -s / /site/public/root-link && ls -l /site/public']);
      expect(link.stdout).toContain('root-link');
      const answer = await client.sftp('alice+alpha', aliceKey, [
        `-put ${local} /../../../../../tmp/${target}`,
        `-put ${local} ../../../../../tmp/${target}`,
        `-put ${local} public/root-link/tmp/${target}`,
        `-get /../../../../../etc/hostname ${join(dir.path, 'hostname-1')}`,
        `-get public/root-link/etc/hostname ${join(dir.path, 'hostname-2')}`,
        '-ls public/root-link/',
        '-rename public/index.html ../../index.html',
        '-rm public/root-link/etc/hostname',
      ]);
      // put ×3, rename and rm are refused as such; sftp reports a refused get as "not found".
      const refusals = answer.stderr.split('\n').filter((line) => /Permission denied/.test(line));
      expect(refusals.length, answer.stderr).toBe(5);
      expect(answer.stderr.match(/etc\/hostname" not found/g)?.length, answer.stderr).toBe(2);
      expect(answer.stdout).not.toMatch(/\bproc\b|\bsbin\b/);
      expect(existsSync(`/tmp/${target}`)).toBe(false);
      expect(existsSync(join(dir.path, 'hostname-1'))).toBe(false);
      expect(existsSync(join(dir.path, 'hostname-2'))).toBe(false);
      expect(existsSync('/etc/hostname')).toBe(true);
      // The page uploaded before is still there and still served.
      expect((await stack.visit('alpha.dais.localhost')).body).toContain('uploaded over sftp');
    });

    it('records every session in the audit log', async () => {
      const audit = await stack.api<{ events: { action: string; actor: string; siteName: string | null }[] }>(
        'GET',
        '/api/audit?limit=200',
      );
      const actions = audit.json.events.filter((event) => event.actor === 'alice').map((event) => event.action);
      expect(actions).toEqual(expect.arrayContaining(['shell.exec.start', 'shell.exec.end', 'shell.shell.start', 'shell.sftp.start']));
    });
  });

  describe('with site tokens that live one second', () => {
    const TOKEN_TTL_MS = 1_000;

    // Only the manager issues site tokens: it alone restarts with the short lifetime, and again with
    // the stack's settings afterwards.
    beforeAll(async () => {
      await stack.stopProcess('manager');
      stack.startProcess('manager', { env: { DAIS_SHELL_TOKEN_TTL_SECONDS: String(TOKEN_TTL_MS / 1_000) } });
      await stack.waitUntilReady();
    });

    afterAll(async () => {
      await stack.restartProcess('manager');
    });

    it('a token that expired at the menu is refused by the orchestrator with a clear message', async () => {
      const screen = await terminal('alice', password('alice'));
      await screen.waitFor(/Site number/);
      // The tokens were issued before the menu showed, and their age is what this case is about: it
      // waits for time itself, one lifetime from when the menu appeared (the orchestrator reads the
      // same clock), so that every token on offer has expired.
      await new Promise((resolve) => setTimeout(resolve, TOKEN_TTL_MS + 1));
      await screen.send('1');
      await screen.send('Enter', false);
      await screen.waitFor(/expired before the session opened/);
    });
  });
});
