import type { KeyObject } from 'node:crypto';
import {
  DaisError,
  isErrorCode,
  PeerClient,
  SHELL_TOKEN_HEADER,
  STREAM,
  terminalServerMessageSchema,
  type FileRequest,
  type OutboundTls,
  type TerminalServerMessage,
} from '@dais/shared';
import type WebSocket from 'ws';
import type { RawData } from 'ws';

/** The answer to one SFTP file request. */
export type FileReply = Extract<TerminalServerMessage, { type: 'file-reply' }>;

/** What to run in the site's container. */
export type SessionRequest =
  | { mode: 'shell'; cols: number; rows: number; term?: string | undefined }
  | { mode: 'exec'; command: string; tty: boolean; cols?: number; rows?: number; term?: string | undefined }
  | { mode: 'sftp' };

/** Where the orchestrator is and who the shell is. */
export interface SiteChannelTarget {
  baseUrl: string;
  audience: string;
  privateKey: KeyObject;
  tls: OutboundTls;
  timeoutMs: number;
}

/** What a session hears from the container. */
export interface SiteChannelEvents {
  output(stream: 'stdout' | 'stderr', data: Buffer): void;
  /** The process ended with this status. */
  exit(code: number): void;
  /** The orchestrator reported a failure after the session started, or the link broke. */
  failure(error: DaisError): void;
  /** The site is not running: the session opened in a stand-in container (told before any output). */
  standIn?(): void;
}

const PING_INTERVAL_MS = 25_000;

/**
 * One session in a site's container over the orchestrator's `/ws/shell-server/:siteId` websocket
 * (wire format: libs/shared/src/contracts/terminal-channel.ts). Opened with the shell's signed
 * upgrade plus the manager's single-use token for that site.
 */
export class SiteChannel {
  private readonly pending = new Map<number, (reply: FileReply) => void>();
  private nextRequestId = 1;
  private finished = false;
  private readonly pinger: NodeJS.Timeout;

  private constructor(
    private readonly socket: WebSocket,
    private readonly events: SiteChannelEvents,
  ) {
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('close', () => this.finish(new DaisError('PEER_UNAVAILABLE', 'The connection to the site was lost.')));
    socket.on('error', () => undefined); // 'close' follows and reports it.
    this.pinger = setInterval(() => this.sendControl({ type: 'ping' }), PING_INTERVAL_MS).unref();
  }

  /** Opens the session; resolves once the orchestrator says the process is ready, rejects with a coded error. */
  static async open(target: SiteChannelTarget, grant: { id: number; token: string }, session: SessionRequest, events: SiteChannelEvents) {
    const orchestrator = new PeerClient({ ...target, callerId: 'shell', name: "the site's host" });
    const path = `/ws/shell-server/${grant.id}?${sessionQuery(session)}`;
    // The upgrade settles with the wait for `ready`, which settles the session.
    const channel = await orchestrator.upgrade(path, { [SHELL_TOKEN_HEADER]: grant.token }, (socket) =>
      SiteChannel.whenReady(socket, events),
    );
    return channel;
  }

  /** Waits for the orchestrator's `ready` (listening from the moment the socket opened, so it cannot be missed). */
  private static whenReady(socket: WebSocket, events: SiteChannelEvents): Promise<SiteChannel> {
    return new Promise<SiteChannel>((resolve, reject) => {
      const fail = (error: DaisError) => {
        socket.terminate();
        reject(error);
      };
      socket.on('error', (error: NodeJS.ErrnoException) => {
        fail(new DaisError('PEER_UNAVAILABLE', `Lost the site's host: ${error.code ?? error.message}.`));
      });
      socket.once('close', () => fail(new DaisError('PEER_UNAVAILABLE', 'The site closed the connection before the session started.')));
      const onFirst = (data: RawData, isBinary: boolean) => {
        const message = isBinary ? undefined : parseServerMessage(data);
        if (message?.type === 'error') {
          fail(new DaisError(codeOf(message.code), message.message));
          return;
        }
        if (message?.type !== 'ready') return; // Nothing else is meaningful before the process starts.
        if (message.siteRunning === false) events.standIn?.();
        socket.off('message', onFirst);
        socket.removeAllListeners('close');
        socket.removeAllListeners('error');
        resolve(new SiteChannel(socket, events));
      };
      socket.on('message', onFirst);
    });
  }

  /** Keystrokes or piped input for the process. */
  writeInput(data: Buffer): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(Buffer.concat([Buffer.of(STREAM.stdin), data]), { binary: true });
  }

  /** The SSH client's window changed size. */
  resize(cols: number, rows: number): void {
    this.sendControl({ type: 'resize', cols, rows });
  }

  /** The SSH client sent EOF (end of piped input). */
  endInput(): void {
    this.sendControl({ type: 'eof' });
  }

  /** Sends one SFTP file request and waits for its answer. */
  file(request: FileRequest): Promise<FileReply> {
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      if (this.finished) {
        reject(new DaisError('PEER_UNAVAILABLE', 'The connection to the site was lost.'));
        return;
      }
      this.pending.set(id, resolve);
      this.sendControl({ type: 'file', id, request });
    });
  }

  /** Ends the session from the shell's side (the SSH client went away). */
  close(): void {
    this.finished = true;
    clearInterval(this.pinger);
    this.socket.close(1000);
  }

  private sendControl(message: object): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      const bytes = toBuffer(data);
      const stream = bytes[0] === STREAM.stderr ? 'stderr' : bytes[0] === STREAM.stdout ? 'stdout' : undefined;
      if (stream) this.events.output(stream, bytes.subarray(1));
      return;
    }
    const message = parseServerMessage(data);
    if (!message) return;
    switch (message.type) {
      case 'exit':
        this.finished = true;
        clearInterval(this.pinger);
        this.events.exit(message.code);
        return;
      case 'error':
        this.finish(new DaisError(codeOf(message.code), message.message));
        return;
      case 'file-reply':
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
        return;
      case 'ready':
      case 'pong':
        return;
    }
  }

  private finish(error: DaisError): void {
    clearInterval(this.pinger);
    for (const [id, resolve] of this.pending)
      resolve({ type: 'file-reply', id, ok: false, error: { code: 'FAILED', message: error.message } });
    this.pending.clear();
    if (this.finished) return;
    this.finished = true;
    this.events.failure(error);
  }
}

/** The upgrade query (covered by the signature): see `terminalOpenSchema`. */
export function sessionQuery(session: SessionRequest): string {
  const query = new URLSearchParams({ mode: session.mode });
  if (session.mode === 'sftp') return query.toString();
  if (session.mode === 'exec') {
    query.set('command', Buffer.from(session.command, 'utf8').toString('base64url'));
    if (session.tty) query.set('tty', '1');
  }
  if (session.cols !== undefined && session.rows !== undefined) {
    query.set('cols', String(session.cols));
    query.set('rows', String(session.rows));
  }
  if (session.term !== undefined && /^[A-Za-z0-9._+-]{1,64}$/.test(session.term)) query.set('term', session.term);
  return query.toString();
}

function parseServerMessage(data: RawData): TerminalServerMessage | undefined {
  try {
    const parsed = terminalServerMessageSchema.safeParse(JSON.parse(toBuffer(data).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function toBuffer(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function codeOf(code: string) {
  return isErrorCode(code) ? code : 'PEER_ERROR';
}
