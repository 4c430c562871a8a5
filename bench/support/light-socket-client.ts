import WebSocket from 'ws';

/**
 * The smallest Socket.IO v4 client that can measure delivery: the websocket transport, one
 * namespace, acks, pings — and no decoding on receipt. A browser spends its own CPU on decoding; in
 * the benchmark, 1,000 `socket.io-client` instances in one process spend ~37 ms of CPU per event
 * decoding the same message 1,000 times, on the same two cores as the server, which delays the
 * receipts it measures. This client stamps the arrival time and keeps the raw text; identical texts
 * are decoded once, later.
 */
export class LightSocketClient {
  private nextAck = 0;
  private readonly acks = new Map<number, (args: unknown[]) => void>();

  private constructor(
    private readonly socket: WebSocket,
    onEvent: (raw: string, at: number) => void,
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const at = performance.timeOrigin + performance.now();
      if (isBinary) return;
      const text = data.toString('utf8');
      if (text === '2')
        socket.send('3'); // engine.io ping → pong
      else if (text.startsWith('42')) onEvent(text.slice(2), at);
      else if (text.startsWith('43')) this.settleAck(text.slice(2));
    });
  }

  /** Connects, authenticates with `auth` (Socket.IO CONNECT packet) and waits for the server's answer. */
  static connect(url: string, auth: Record<string, unknown>, onEvent: (raw: string, at: number) => void): Promise<LightSocketClient> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        socket.terminate();
        reject(error);
      };
      socket.once('error', fail);
      const onHandshake = (data: Buffer) => {
        const text = data.toString('utf8');
        if (text.startsWith('0')) socket.send(`40${JSON.stringify(auth)}`);
        else if (text.startsWith('40')) {
          socket.off('message', onHandshake);
          socket.off('error', fail);
          resolve(new LightSocketClient(socket, onEvent));
        } else if (text.startsWith('44')) fail(new Error(`connect refused: ${text.slice(2)}`));
      };
      socket.on('message', onHandshake);
    });
  }

  /** Emits an event and waits for its acknowledgement's first argument. */
  emitWithAck(event: string, payload: unknown, timeoutMs = 30_000): Promise<unknown> {
    const id = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`${event}: no acknowledgement within ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks.set(id, (args) => {
        clearTimeout(timer);
        resolve(args[0]);
      });
      this.socket.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  close(): void {
    this.socket.close();
  }

  private settleAck(text: string): void {
    const digits = /^\d+/.exec(text)?.[0] ?? '';
    const settle = this.acks.get(Number(digits));
    if (!settle) return;
    this.acks.delete(Number(digits));
    settle(JSON.parse(text.slice(digits.length)) as unknown[]);
  }
}
