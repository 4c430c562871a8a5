// How quickly does `ssh user+site@host` give a prompt inside the site's container, and how quickly
// does a keystroke come back? (a) time from starting the OpenSSH client (TCP connect, key
// exchange, key sign-in checked by the manager, token, orchestrator websocket, container process)
// to the shell prompt, median of RUNS (target ≤ 1 s); (b) keystroke echo round trip through
// ssh → shell → orchestrator → container TTY and back, p99 of KEYSTROKES (target ≤ 20 ms).
// Runs a whole test stack (manager, orchestrator, router, shell) with a static site, whose shell
// runs in a busybox terminal container. Usage: npm run bench:ssh -- [runs] [keystrokes]
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BrowserSession } from '../test/support/browser-session';
import { SshClient } from '../test/support/ssh-client';
import { TestStack } from '../test/support/stack';
import { tempDir } from '../test/support/temp-dir';
import { describeConditions, summarize } from './conditions';
import { onCleanup, runCleanups } from './support/cleanup';

const run = promisify(execFile);
const RUNS = Number(process.argv[2] ?? 20);
const KEYSTROKES = Number(process.argv[3] ?? 200);
const TARGET = { promptMs: 1_000, echoP99Ms: 20 } as const;
const PROMPT = /[$#] $/;

/** Output without CSI sequences (busybox's line editor asks for the cursor position and clears to the end of line). */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

/** An interactive `ssh -tt` whose output is watched for a pattern. */
class Session {
  private output = '';
  private waiter: { pattern: RegExp; from: number; resolve: () => void } | undefined;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.output += chunk.toString('latin1');
      if (this.waiter && this.waiter.pattern.test(visible(this.output.slice(this.waiter.from)))) {
        const { resolve } = this.waiter;
        this.waiter = undefined;
        resolve();
      }
    });
  }

  /** Resolves once output after this call matches (or already-seen output, with `fromStart`). */
  until(pattern: RegExp, fromStart = false, timeoutMs = 20_000): Promise<void> {
    const from = fromStart ? 0 : this.output.length;
    if (pattern.test(visible(this.output.slice(from)))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${String(pattern)} in ${JSON.stringify(this.output.slice(-300))}`)), timeoutMs);
      this.waiter = {
        pattern,
        from,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  close(): void {
    this.child.stdin.end('exit\r');
    setTimeout(() => this.child.kill('SIGKILL'), 2_000).unref();
  }
}

async function main(): Promise<void> {
  const dir = await tempDir('bench-ssh');
  onCleanup(() => dir.remove());
  const stack = await TestStack.start('bench-ssh', { shell: true });
  onCleanup(() => stack.stop());
  const client = await SshClient.create(stack.ports.shell, join(stack.stateDir, 'shell', 'host-keys'), dir.path);
  await stack.api('POST', '/api/users', { username: 'alice', password: 'alice long password 1' });
  const site = await stack.createSite('bench');
  await stack.waitForOperation(site.operation?.id ?? 0);
  await stack.api('POST', `/api/sites/${site.id}/members`, { username: 'alice' });
  const keyFile = join(dir.path, 'alice-key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
  const browser = new BrowserSession(`http://127.0.0.1:${stack.ports.manager}`);
  await browser.login('alice', 'alice long password 1');
  await browser.request('POST', '/api/ssh-keys', { name: 'bench', publicKey: await readFile(`${keyFile}.pub`, 'utf8') });
  const credential = { keyFile };
  const open = () =>
    new Session(
      spawn('ssh', [...client.options(credential), '-p', String(stack.ports.shell), '-tt', 'alice+bench@127.0.0.1'], {
        env: client.env(credential),
      }),
    );

  // Warm-up: the first session pays for the terminal image's first start and JIT compilation.
  const warm = open();
  await warm.until(PROMPT, true, 60_000);
  warm.close();

  const promptMs: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    const session = open();
    await session.until(PROMPT, true);
    promptMs.push(performance.now() - started);
    session.close();
    await new Promise((resolve) => session.child.once('close', resolve));
  }

  const session = open();
  await session.until(PROMPT, true);
  const echoMs: number[] = [];
  for (let i = 0; i < KEYSTROKES; i += 1) {
    // Type a letter, then erase it, so the line never grows: each echo is measured on its own.
    // eslint-disable-next-line no-control-regex
    const [key, echo] = i % 2 === 0 ? ['x', /x$/] : ['\x7f', /\x08( \x08)?$/];
    const started = performance.now();
    const seen = session.until(echo);
    session.child.stdin.write(key);
    await seen;
    echoMs.push(performance.now() - started);
  }
  session.close();

  const prompt = summarize(promptMs);
  const sortedEcho = [...echoMs].sort((a, b) => a - b);
  const p99 = sortedEcho[Math.min(sortedEcho.length - 1, Math.floor(0.99 * sortedEcho.length))] ?? NaN;
  const echo = summarize(echoMs);
  console.log(`\nSSH latency (static site, busybox terminal container, key sign-in, OpenSSH client)\n${describeConditions()}\n`);
  console.log(
    `connect → prompt  runs ${RUNS}: median ${prompt.median.toFixed(0)} ms, p90 ${prompt.p90.toFixed(0)}, min ${prompt.min.toFixed(0)}, max ${prompt.max.toFixed(0)}  (target ≤ ${TARGET.promptMs} ms: ${prompt.median <= TARGET.promptMs ? 'met' : 'MISSED'})`,
  );
  console.log(
    `keystroke echo    keys ${KEYSTROKES}: p99 ${p99.toFixed(1)} ms, median ${echo.median.toFixed(1)}, max ${echo.max.toFixed(1)}  (target p99 ≤ ${TARGET.echoP99Ms} ms: ${p99 <= TARGET.echoP99Ms ? 'met' : 'MISSED'})`,
  );
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => runCleanups());
