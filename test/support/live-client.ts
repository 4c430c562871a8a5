import { io, type Socket } from 'socket.io-client';
import { LIVE_EVENTS, SOCKET_EVENTS, type LiveClosed, type LiveData, type LiveMessage, type LiveOpenAck } from '@dais/shared';

/** How a dashboard connection signs in: a script's API token, or a browser's session cookie (and its page's Origin). */
export type LiveCredential = { token: string } | { cookie: string; origin: string };

/** A dashboard's Socket.IO connection, recording every live-stream event it receives. */
export class LiveClient {
  readonly output = new Map<string, string>();
  readonly messages: LiveMessage[] = [];
  readonly closed: LiveClosed[] = [];
  /** Why the server ended the connection (`session:ended`), once it did. */
  sessionEnded: unknown;
  disconnected = false;

  constructor(readonly socket: Socket) {
    socket.on(LIVE_EVENTS.data, (event: LiveData) => {
      this.output.set(event.streamId, (this.output.get(event.streamId) ?? '') + Buffer.from(event.data).toString('utf8'));
    });
    socket.on(LIVE_EVENTS.message, (event: LiveMessage) => this.messages.push(event));
    socket.on(LIVE_EVENTS.closed, (event: LiveClosed) => this.closed.push(event));
    socket.on(SOCKET_EVENTS.sessionEnded, (event: unknown) => (this.sessionEnded = event));
    socket.on('disconnect', () => (this.disconnected = true));
  }

  static async connect(port: number, credential: LiveCredential | string): Promise<LiveClient> {
    const signIn = typeof credential === 'string' ? { token: credential } : credential;
    const socket =
      'token' in signIn
        ? io(`http://127.0.0.1:${port}`, { auth: { token: signIn.token }, transports: ['websocket'], reconnection: false })
        : io(`http://127.0.0.1:${port}`, {
            extraHeaders: { cookie: signIn.cookie, origin: signIn.origin },
            transports: ['websocket'],
            reconnection: false,
          });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new LiveClient(socket);
  }

  open(request: object): Promise<LiveOpenAck> {
    return this.socket.timeout(20_000).emitWithAck(LIVE_EVENTS.open, request) as Promise<LiveOpenAck>;
  }

  async opened(request: object): Promise<string> {
    const ack = await this.open(request);
    if (!ack.ok) throw new Error(`open refused: ${JSON.stringify(ack.error)}`);
    return ack.streamId;
  }

  /** Whether the stream was closed, and with which code. */
  closeOf(streamId: string): LiveClosed | undefined {
    return this.closed.find((event) => event.streamId === streamId);
  }

  async until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify([...this.output, this.messages, this.closed])}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
