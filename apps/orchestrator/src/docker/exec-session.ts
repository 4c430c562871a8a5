import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { dockerFailure } from './docker-util';

/** What to run in a container, as whom and where. */
export interface ExecRequest {
  containerId: string;
  /** argv, never a shell string built by Dais. */
  command: string[];
  /** `uid:gid` the process runs as. */
  user: string;
  workingDir: string;
  env: string[];
  tty: boolean;
  /** Initial size of a TTY session (already clamped). */
  size?: { cols: number; rows: number };
}

/** Callbacks of a running {@link ExecSession}. */
export interface ExecOutput {
  /** Bytes the process printed; `stderr` is only ever true for a session without a TTY. */
  onData(data: Buffer, stderr: boolean): void;
  /** The process ended (or the engine dropped the stream); `code` is null when it could not be read. */
  onExit(code: number | null): void;
}

/** How long to wait after the stream ends for the engine to record the exit code. */
const EXIT_CODE_WAIT_MS = 2_000;
/** A process still running after its session closed gets SIGHUP, then SIGKILL this much later. */
const KILL_GRACE_MS = 2_000;

/**
 * One process started with `docker exec` and attached both ways: stdin in, stdout/stderr out,
 * TTY resizes, and its exit code. Closing the session hangs the process up if it still runs (the
 * engine would otherwise leave it running after the attach stream is gone).
 */
export class ExecSession {
  private ended = false;

  private constructor(
    private readonly exec: Docker.Exec,
    private readonly stream: Duplex,
    private readonly tty: boolean,
  ) {}

  /** Creates and starts the process; `output` hears from it until it exits. */
  static async start(docker: Docker, request: ExecRequest, output: ExecOutput): Promise<ExecSession> {
    let exec: Docker.Exec;
    let stream: Duplex;
    try {
      exec = await docker.getContainer(request.containerId).exec({
        Cmd: request.command,
        User: request.user,
        WorkingDir: request.workingDir,
        Env: request.env,
        Tty: request.tty,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
      });
      stream = await exec.start({ hijack: true, stdin: true, Tty: request.tty });
    } catch (error) {
      throw dockerFailure('start a process in the container', error);
    }
    const session = new ExecSession(exec, stream, request.tty);
    session.pipeOutput(docker, request.tty, output);
    if (request.tty && request.size) await session.resize(request.size.cols, request.size.rows);
    return session;
  }

  /** Sends bytes to the process's stdin. */
  write(data: Buffer): void {
    if (!this.ended) this.stream.write(data);
  }

  /** Stops reading the process's output until {@link resume} (the client is behind). */
  pause(): void {
    this.stream.pause();
  }

  /** Reads the process's output again. */
  resume(): void {
    this.stream.resume();
  }

  /**
   * Ends the process's input. Without a TTY the attach stream's write side is closed (the engine
   * closes stdin). On a TTY, end of input is the terminal's EOF character, as if typed: half-closing a
   * TTY attach makes the engine stop copying its output too, so an `ssh -t host cmd` whose client
   * sent EOF at once lost what cmd printed (seen in CI).
   */
  endInput(): void {
    if (this.ended) return;
    if (this.tty) this.stream.write(Buffer.of(0x04));
    else this.stream.end();
  }

  /** Resizes the TTY (the size must be clamped already). */
  async resize(cols: number, rows: number): Promise<void> {
    if (this.ended) return;
    await this.exec.resize({ h: rows, w: cols }).catch(() => undefined);
  }

  /** Ends the session; a process still running is hung up, then killed. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.stream.destroy();
    const info = await this.exec.inspect().catch(() => null);
    const pid = (info as { Pid?: number } | null)?.Pid;
    if (!info?.Running || !pid) return;
    // The exec's pid is a host pid: the orchestrator runs on the engine's host (plain-docker runtime).
    signal(pid, 'SIGHUP');
    setTimeout(() => signal(pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  }

  private pipeOutput(docker: Docker, tty: boolean, output: ExecOutput): void {
    if (tty) {
      this.stream.on('data', (chunk: Buffer) => output.onData(chunk, false));
    } else {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      stdout.on('data', (chunk: Buffer) => output.onData(chunk, false));
      stderr.on('data', (chunk: Buffer) => output.onData(chunk, true));
      docker.modem.demuxStream(this.stream, stdout, stderr);
    }
    let reported = false;
    const finish = () => {
      if (reported) return;
      reported = true;
      void this.exitCode().then((code) => {
        this.ended = true;
        output.onExit(code);
      });
    };
    this.stream.once('end', finish);
    this.stream.once('close', finish);
    this.stream.once('error', finish);
  }

  private async exitCode(): Promise<number | null> {
    const deadline = Date.now() + EXIT_CODE_WAIT_MS;
    while (Date.now() < deadline) {
      const info = await this.exec.inspect().catch(() => null);
      if (!info) return null;
      if (!info.Running && info.ExitCode !== null) return info.ExitCode;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
