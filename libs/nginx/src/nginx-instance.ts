import { execFile } from 'node:child_process';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where an nginx instance lives. All paths absolute. */
export interface NginxInstanceOptions {
  /** The nginx executable (default `nginx` on PATH). */
  binary?: string;
  /** The instance's runtime folder; see {@link renderMainConfig}. */
  prefix: string;
  /** The config file nginx is started with; a symlinked folder makes reloads pick up new generations. */
  liveConfFile: string;
}

/** nginx refused a configuration; `output` is what `nginx -t` printed. */
export class NginxTestFailure extends Error {
  override readonly name = 'NginxTestFailure';
  constructor(readonly output: string) {
    super(output);
  }
}

/**
 * The only code that runs nginx: test a config, start the master, reload it by signal, stop it.
 * Processes are started with argument arrays, never through a shell.
 */
export class NginxInstance {
  private readonly binary: string;

  constructor(private readonly options: NginxInstanceOptions) {
    this.binary = options.binary ?? 'nginx';
  }

  /** The pid file the rendered config points nginx at. */
  get pidFile(): string {
    return join(this.options.prefix, 'run', 'nginx.pid');
  }

  /** The error log nginx writes to (also where a failed reload explains itself). */
  get errorLogFile(): string {
    return join(this.options.prefix, 'logs', 'error.log');
  }

  /** Current size of the error log, to read only what is written after this point. */
  async errorLogSize(): Promise<number> {
    return (await stat(this.errorLogFile).catch(() => null))?.size ?? 0;
  }

  /** The first `[emerg]` line written since `offset`, e.g. why a reload was refused; null if none. */
  async emergencySince(offset: number): Promise<string | null> {
    const file = await open(this.errorLogFile, 'r').catch(() => null);
    if (!file) return null;
    try {
      const { size } = await file.stat();
      if (size <= offset) return null;
      const buffer = Buffer.alloc(Math.min(size - offset, 64 * 1024));
      await file.read(buffer, 0, buffer.length, offset);
      const line = buffer
        .toString('utf8')
        .split('\n')
        .find((l) => l.includes('[emerg]'));
      return line ? line.replace(/^.*?\[emerg\] \d+#\d+: /, '') : null;
    } finally {
      await file.close();
    }
  }

  /** Creates the runtime folders the config refers to. */
  async prepare(): Promise<void> {
    for (const dir of ['run', 'logs', 'temp']) await mkdir(join(this.options.prefix, dir), { recursive: true });
  }

  /** Runs `nginx -t` on a config file; throws {@link NginxTestFailure} with nginx's message if it is refused. */
  async test(confFile: string): Promise<void> {
    await this.prepare();
    try {
      // `-e stderr`: a refused test must not write [emerg] into the error log that a concurrent
      // reload is being watched through, or that reload would be taken for a failure.
      await run(this.binary, ['-t', '-q', '-p', this.options.prefix, '-e', 'stderr', '-c', confFile], { timeout: 60_000 });
    } catch (error) {
      const { stderr, message } = error as { stderr?: string; message: string };
      throw new NginxTestFailure((stderr ?? '').trim() || message);
    }
  }

  /** The master's pid if it is running, else null (a stale pid file counts as not running). */
  async runningPid(): Promise<number | null> {
    const text = await readFile(this.pidFile, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return null;
    }
  }

  /** Starts the master (it daemonizes); nginx's own output is returned in the error if it cannot start. */
  async start(): Promise<void> {
    await this.prepare();
    // Each reload builds the new configuration while the old one is still in memory; with glibc's
    // default thresholds the freed blocks stay in the master's heap and its memory doubles after a
    // few reloads at 10,000 sites. Large allocations through mmap are returned on free (bench/RESULTS.md).
    await run(this.binary, this.baseArgs(this.options.liveConfFile), {
      timeout: 60_000,
      env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '16384' },
    });
  }

  /** Asks the running master to re-read its config (SIGHUP); starts it if it is not running. */
  async reload(): Promise<void> {
    const pid = await this.runningPid();
    if (pid === null) return this.start();
    process.kill(pid, 'SIGHUP');
  }

  /** Pids of the master's worker processes (empty if nginx is not running). */
  async workerPids(): Promise<number[]> {
    const master = await this.runningPid();
    if (master === null) return [];
    const children = await readFile(`/proc/${master}/task/${master}/children`, 'utf8').catch(() => '');
    const pids = children.split(/\s+/).filter(Boolean).map(Number);
    const workers = await Promise.all(pids.map(async (pid) => ((await processTitle(pid)).includes('worker process') ? pid : null)));
    return workers.filter((pid): pid is number => pid !== null);
  }

  /**
   * Waits until each of these (old) workers has exited or stopped accepting connections. After a
   * reload nginx keeps old workers accepting for ~100 ms; until they retire, a request may still
   * be answered by the old configuration.
   */
  async waitForRetirement(pids: readonly number[], timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const titles = await Promise.all(pids.map(processTitle));
      if (titles.every((title) => title === '' || title.includes('shutting down'))) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Stops the master gracefully (SIGQUIT), then quickly (SIGTERM) if it has not exited after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const pid = await this.runningPid();
    if (pid === null) return;
    process.kill(pid, 'SIGQUIT');
    if (await this.waitForExit(graceMs)) return;
    // SIGTERM, not SIGKILL: the master must live long enough to take its workers down with it.
    process.kill(pid, 'SIGTERM');
    await this.waitForExit(graceMs);
  }

  private async waitForExit(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.runningPid()) === null) return true;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
  }

  private baseArgs(confFile: string): string[] {
    return ['-p', this.options.prefix, '-e', this.errorLogFile, '-c', confFile];
  }
}

/** A process's title (nginx rewrites it to say what the process is doing); '' once it has exited. */
async function processTitle(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim();
}
