import { signRequest, STREAM, type LiveStreamMessage } from '@dais/shared';
import WebSocket from 'ws';
import type { TestSigner } from './signed-fetch';

/** How to open a websocket the way a real (or a hostile) caller would. */
export interface OpenOptions {
  /** Sign with this clock instead of now. */
  now?: number;
  /** Send these exact signature headers again (replays). */
  reuse?: Record<string, string>;
  /** Extra headers (the shell token). */
  headers?: Record<string, string>;
  /** false: never answer the server's pings (a dead peer). */
  autoPong?: boolean;
}

/** A refused upgrade: the HTTP status and the JSON error body. */
export interface Refusal {
  status: number;
  body: { error?: { code?: string; message?: string } };
}

/** Opens a signed websocket to `baseUrl` (http://…); resolves with the socket, or the refusal. */
export function openSigned(
  baseUrl: string,
  signer: TestSigner | null,
  path: string,
  options: OpenOptions = {},
): Promise<{ ws: LiveSocket; headers: Record<string, string> } | { refused: Refusal; headers: Record<string, string> }> {
  const headers =
    options.reuse ??
    (signer
      ? signRequest(
          { callerId: signer.callerId, privateKey: signer.privateKey },
          { audience: signer.audience, method: 'GET', path, body: '', ...(options.now === undefined ? {} : { now: options.now }) },
        )
      : {});
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + path, {
    headers: { ...headers, ...options.headers },
    autoPong: options.autoPong ?? true,
  });
  const live = new LiveSocket(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws: live, headers }));
    ws.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => {
        let body: Refusal['body'] = {};
        try {
          body = JSON.parse(text) as Refusal['body'];
        } catch {
          // not JSON: the test's expectation on the body fails
        }
        resolve({ refused: { status: response.statusCode ?? 0, body }, headers });
      });
    });
    ws.once('error', reject);
  });
}

/** Opens a websocket that must be accepted. */
export async function openAccepted(baseUrl: string, signer: TestSigner, path: string, options: OpenOptions = {}): Promise<LiveSocket> {
  const result = await openSigned(baseUrl, signer, path, options);
  if ('refused' in result) throw new Error(`upgrade of ${path} refused: ${result.refused.status} ${JSON.stringify(result.refused.body)}`);
  return result.ws;
}

/**
 * A websocket speaking the terminal-channel format, recording everything it receives, with
 * helpers to wait for output, a message, or the close.
 */
export class LiveSocket {
  stdout = '';
  stderr = '';
  readonly messages: LiveStreamMessage[] = [];
  /** What arrived, in order: `bytes` for a binary frame, else the message type. */
  readonly order: string[] = [];
  readonly closed: Promise<{ code: number }>;
  private readonly waiters = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        this.order.push('bytes');
        const text = data.subarray(1).toString('utf8');
        if (data[0] === STREAM.stderr) this.stderr += text;
        else this.stdout += text;
      } else {
        const message = JSON.parse(data.toString('utf8')) as LiveStreamMessage;
        this.messages.push(message);
        this.order.push(message.type);
      }
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve({ code })));
    void this.closed.then(() => {
      for (const wake of this.waiters) wake();
    });
  }

  /** Sends keystrokes (a binary stdin frame). */
  type(text: string): void {
    this.ws.send(Buffer.concat([Buffer.of(STREAM.stdin), Buffer.from(text)]), { binary: true });
  }

  /** Sends a control message (or any raw text frame). */
  control(message: object | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits until `check` holds (re-checked on every frame and on close); fails after `timeoutMs`. */
  async until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (check()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(
          new Error(
            `timed out waiting for ${what}; stdout=${JSON.stringify(this.stdout.slice(-500))} messages=${JSON.stringify(this.messages)}`,
          ),
        );
      }, timeoutMs);
      const wake = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
    });
  }

  /** Waits for stdout to match. */
  untilOutput(pattern: RegExp, timeoutMs?: number): Promise<void> {
    return this.until(() => pattern.test(this.stdout), `stdout matching ${String(pattern)}`, timeoutMs);
  }

  /** Waits for a control message of a type and returns it. */
  async message<T extends LiveStreamMessage['type']>(type: T, timeoutMs?: number): Promise<Extract<LiveStreamMessage, { type: T }>> {
    await this.until(() => this.messages.some((message) => message.type === type), `a "${type}" message`, timeoutMs);
    return this.messages.find((message) => message.type === type) as Extract<LiveStreamMessage, { type: T }>;
  }

  /** Closes from this side. */
  close(): void {
    this.ws.close(1000);
  }
}
