import type { WebSocket } from 'ws';
import { clampTerminalSize, DaisError } from '@dais/shared';
import type { ExecOutput, ExecSession } from '../docker/exec-session';
import type { LaunchedProcess } from './site-process';
import { closeWithError, readClientFrame, sendBytes, sendMessage } from './ws-frames';

/** Lifetimes of a process session. */
export interface SessionLimits {
  idleTimeoutMs: number;
  maxLifetimeMs: number;
}

/** Input that arrives before the process has started is kept, up to this much. */
const MAX_EARLY_INPUT_BYTES = 64 * 1024;
/** Output queued for a slow client past which the process's output is paused… */
const PAUSE_ABOVE_BYTES = 1024 * 1024;
/** …until the queue is down to this (checked every {@link DRAIN_CHECK_MS}). */
const RESUME_BELOW_BYTES = 256 * 1024;
const DRAIN_CHECK_MS = 50;

/**
 * Connects a websocket to a process in a container (terminal-channel.ts): stdin frames in,
 * stdout/stderr frames out, resize/eof/ping control messages, `exit` with the exit code at the
 * end. The session closes when the client goes quiet for `idleTimeoutMs` (any client frame counts
 * as activity, output does not), after `maxLifetimeMs` in any case, or when either side leaves;
 * the launched process's `release` runs once it is over (to remove a terminal container).
 */
export async function runProcessChannel(
  ws: WebSocket,
  limits: SessionLimits,
  start: (output: ExecOutput, announceStandIn: () => void) => Promise<LaunchedProcess>,
): Promise<void> {
  let session: ExecSession | undefined;
  let release = () => Promise.resolve();
  let closed = false;
  // Mutated by the message handler while the process starts.
  const early = { chunks: [] as Buffer[], bytes: 0, eof: false, size: null as { cols: number; rows: number } | null };

  const finish = (end: () => void) => {
    if (closed) return;
    closed = true;
    clearTimeout(idle);
    clearTimeout(lifetime);
    end();
  };
  const timeout = (message: string) => finish(() => closeWithError(ws, 'SESSION_TIMED_OUT', message));
  let idle = setTimeout(() => timeout('The session was idle for too long.'), limits.idleTimeoutMs);
  const lifetime = setTimeout(() => timeout('The session reached its maximum lifetime.'), limits.maxLifetimeMs);

  ws.on('message', (data, isBinary) => {
    clearTimeout(idle);
    if (!closed) idle = setTimeout(() => timeout('The session was idle for too long.'), limits.idleTimeoutMs);
    const frame = readClientFrame(data, isBinary);
    if (frame.kind === 'stdin') {
      if (session) session.write(frame.data);
      else if (early.bytes + frame.data.length <= MAX_EARLY_INPUT_BYTES) {
        early.chunks.push(frame.data);
        early.bytes += frame.data.length;
      }
      return;
    }
    if (frame.kind === 'ignored') return;
    const message = frame.message;
    switch (message.type) {
      case 'resize': {
        const size = clampTerminalSize(message.cols, message.rows);
        if (session) void session.resize(size.cols, size.rows);
        else early.size = size;
        return;
      }
      case 'eof':
        if (session) session.endInput();
        else early.eof = true;
        return;
      case 'ping':
        sendMessage(ws, { type: 'pong' });
        return;
      case 'file':
        return; // only SFTP sessions answer file requests
    }
  });
  // `ready` precedes everything else the process sends, even output that beats start() returning.
  let readySent = false;
  const ready = (siteRunning?: false) => {
    if (readySent) return;
    readySent = true;
    sendMessage(ws, { type: 'ready', ...(siteRunning === false ? { siteRunning } : {}) });
  };
  const over = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.once('close', () => finish(() => undefined));

  try {
    const launched = await start(
      {
        onData: (data, stderr) => {
          ready();
          sendBytes(ws, data, stderr);
          if (ws.bufferedAmount > PAUSE_ABOVE_BYTES) pauseUntilDrained(ws, () => session);
        },
        onExit: (code) =>
          finish(() => {
            ready();
            if (code === null) closeWithError(ws, 'RUNTIME_FAILED', 'The process ended, but its exit code could not be read.');
            else {
              sendMessage(ws, { type: 'exit', code });
              ws.close(1000);
            }
          }),
      },
      () => ready(false),
    );
    session = launched.session;
    release = () => launched.release();
    if (early.size) void session.resize(early.size.cols, early.size.rows);
    for (const chunk of early.chunks) session.write(chunk);
    if (early.eof) session.endInput();
    ready();
  } catch (error) {
    const coded = error instanceof DaisError ? error : new DaisError('RUNTIME_FAILED', 'The session could not start.');
    finish(() => closeWithError(ws, coded.code, coded.message));
  }
  await over;
  await session?.close();
  await release();
}

const draining = new WeakSet<ExecSession>();

/** Pauses a process's output while the client's queue drains (a `yes` must not fill the orchestrator's memory). */
function pauseUntilDrained(ws: WebSocket, session: () => ExecSession | undefined): void {
  const current = session();
  if (!current || draining.has(current)) return;
  draining.add(current);
  current.pause();
  const check = setInterval(() => {
    if (ws.readyState !== ws.OPEN || ws.bufferedAmount < RESUME_BELOW_BYTES) {
      clearInterval(check);
      draining.delete(current);
      current.resume();
    }
  }, DRAIN_CHECK_MS);
}
