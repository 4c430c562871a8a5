import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BrowserSession } from './browser-session';

const run = promisify(execFile);

/** What one run of the OpenSSH client produced. */
export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How to sign in: a password (through SSH_ASKPASS) or a private key file. */
export type SshCredential = { password: string } | { keyFile: string };

/**
 * Drives the real OpenSSH `ssh` and `sftp` against the shell of a test stack: host key pinned in
 * a known_hosts file (so a changed host key fails the test), passwords through SSH_ASKPASS.
 */
export class SshClient {
  /** A client run that takes longer than this is killed (with its children) and reported. */
  timeoutMs = 30_000;

  private constructor(
    private readonly port: number,
    private readonly dir: string,
  ) {}

  /** Prepares known_hosts (from the shell's host keys) and the askpass helper in `dir`. */
  static async create(port: number, hostKeysDir: string, dir: string): Promise<SshClient> {
    const lines: string[] = [];
    for (const name of ['ssh_host_ed25519_key.pub', 'ssh_host_rsa_key.pub']) {
      const [type, blob] = (await readFile(join(hostKeysDir, name), 'utf8')).trim().split(' ');
      lines.push(`[127.0.0.1]:${port} ${type} ${blob}`);
    }
    await writeFile(join(dir, 'known_hosts'), lines.join('\n') + '\n');
    await writeFile(join(dir, 'askpass'), '#!/bin/sh\nprintf "%s\\n" "$DAIS_TEST_SSH_PASSWORD"\n', { mode: 0o755 });
    return new SshClient(port, dir);
  }

  /** Options every client run uses (shared with tmux and sftp). */
  options(credential: SshCredential): string[] {
    const common = [
      '-o',
      `UserKnownHostsFile=${join(this.dir, 'known_hosts')}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'NumberOfPasswordPrompts=1',
      '-o',
      'ConnectTimeout=20',
      '-o',
      'IdentityAgent=none',
      '-F',
      '/dev/null',
    ];
    return 'keyFile' in credential
      ? [...common, '-o', 'IdentitiesOnly=yes', '-o', 'PreferredAuthentications=publickey', '-i', credential.keyFile]
      : [...common, '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=keyboard-interactive,password'];
  }

  /** Environment that makes ssh read the password from the askpass helper. */
  env(credential: SshCredential): NodeJS.ProcessEnv {
    return {
      ...process.env,
      SSH_ASKPASS: join(this.dir, 'askpass'),
      SSH_ASKPASS_REQUIRE: 'force',
      DISPLAY: ':0',
      DAIS_TEST_SSH_PASSWORD: 'password' in credential ? credential.password : '',
    };
  }

  /** Runs `ssh [-tt] [-v] login@127.0.0.1 [command]` and collects its output and exit code. */
  ssh(
    login: string,
    credential: SshCredential,
    command: string[] = [],
    options: { tty?: boolean; input?: string; verbose?: boolean } = {},
  ): Promise<SshResult> {
    const args = [
      ...this.options(credential),
      ...(options.verbose ? ['-v'] : []),
      '-p',
      String(this.port),
      options.tty ? '-tt' : '-T',
      `${login}@127.0.0.1`,
      ...command,
    ];
    return this.spawnCollect('ssh', args, credential, options.input);
  }

  /** Runs `sftp -b batch` with the given commands. */
  async sftp(login: string, credential: SshCredential, commands: string[]): Promise<SshResult> {
    const batch = join(this.dir, `batch-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    await writeFile(batch, commands.join('\n') + '\n');
    const args = [...this.options(credential), '-P', String(this.port), '-b', batch, `${login}@127.0.0.1`];
    return this.spawnCollect('sftp', args, credential);
  }

  /** The argv of an interactive client for tmux (password logins read the askpass env from tmux). */
  interactiveArgs(login: string, credential: SshCredential): string[] {
    return ['ssh', ...this.options(credential), '-p', String(this.port), '-tt', `${login}@127.0.0.1`];
  }

  private spawnCollect(binary: string, args: string[], credential: SshCredential, input?: string): Promise<SshResult> {
    return new Promise((resolve, reject) => {
      // Its own process group: sftp runs ssh as a child, and a stuck pair must be killed together.
      const child = spawn(binary, args, { env: this.env(credential), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const timer = setTimeout(() => {
        stderr += `\n[test: killed after ${this.timeoutMs} ms]`;
        process.kill(-child.pid!, 'SIGKILL');
      }, this.timeoutMs);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(input ?? '');
    });
  }
}

/** An interactive terminal in a private tmux server, for the menu, resize and keystroke tests. */
export class TmuxTerminal {
  private constructor(private readonly socket: string) {}

  /** Starts `argv` in a detached tmux session of the given size. */
  static async start(argv: string[], env: NodeJS.ProcessEnv, size = { cols: 100, rows: 30 }): Promise<TmuxTerminal> {
    const socket = `dais-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const terminal = new TmuxTerminal(socket);
    const passed = Object.entries(env)
      .filter(([key]) => key.startsWith('SSH_ASKPASS') || key === 'DAIS_TEST_SSH_PASSWORD' || key === 'DISPLAY')
      .flatMap(([key, value]) => ['-e', `${key}=${value ?? ''}`]);
    await terminal.tmux(['new-session', '-d', '-s', 'main', '-x', String(size.cols), '-y', String(size.rows), ...passed, ...argv]);
    await terminal.tmux(['set-option', '-t', 'main', 'remain-on-exit', 'on']);
    return terminal;
  }

  /** Types text (tmux key names like `Enter` or `C-c` when `literal` is false). */
  async send(keys: string, literal = true): Promise<void> {
    await this.tmux(['send-keys', '-t', 'main', ...(literal ? ['-l'] : []), keys]);
  }

  /** The visible screen. */
  async screen(): Promise<string> {
    return (await this.tmux(['capture-pane', '-p', '-t', 'main'])).stdout;
  }

  /** Waits until the screen matches; fails with the screen after the timeout. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (pattern.test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the terminal never showed ${String(pattern)}; it shows:\n${screen}`);
  }

  /** Resizes the terminal (the SSH client sends a window-change). */
  async resize(cols: number, rows: number): Promise<void> {
    await this.tmux(['resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows)]);
  }

  /** The exit status of the program in the pane, once it ended. */
  async exitStatus(): Promise<number | undefined> {
    const { stdout } = await this.tmux(['display-message', '-p', '-t', 'main', '#{pane_dead}:#{pane_dead_status}']);
    const [dead, status] = stdout.trim().split(':');
    return dead === '1' ? Number(status) : undefined;
  }

  /** Kills the tmux server. */
  async stop(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined);
  }

  private tmux(args: string[]) {
    return run('tmux', ['-L', this.socket, '-f', '/dev/null', ...args]);
  }
}

/**
 * Makes a key pair with ssh-keygen in `dir` (ed25519 unless told otherwise) and adds its public
 * key to `username`'s account the way a person does, through a signed-in browser session; returns
 * the credential that signs in with it.
 */
export async function registerNewSshKey(
  managerUrl: string,
  account: { username: string; password: string },
  dir: string,
  keygen: { type: string; bits?: number } = { type: 'ed25519' },
): Promise<SshCredential> {
  const variant = keygen.type === 'ed25519' && !keygen.bits ? '' : `-${keygen.type}${keygen.bits ?? ''}`;
  const keyFile = join(dir, `${account.username}${variant}-key`);
  const size = keygen.bits ? ['-b', String(keygen.bits)] : [];
  await promisify(execFile)('ssh-keygen', ['-q', '-t', keygen.type, ...size, '-N', '', '-C', `${account.username}@laptop`, '-f', keyFile]);
  const browser = new BrowserSession(managerUrl);
  const login = await browser.login(account.username, account.password);
  if (login.status !== 200) throw new Error(`signing in as ${account.username} answered ${login.status}`);
  const added = await browser.request('POST', '/api/ssh-keys', {
    name: `laptop${variant}`,
    publicKey: await readFile(`${keyFile}.pub`, 'utf8'),
  });
  if (added.status !== 201) throw new Error(`adding the key answered ${added.status}: ${JSON.stringify(added.json)}`);
  return { keyFile };
}
