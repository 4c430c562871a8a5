import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that went through the proxy, exactly as the caller sent it, and the answer's status. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

/**
 * An HTTP proxy that forwards everything to `target` and keeps a copy of each request: what an
 * attacker on the wire between two components (or a load balancer's request log) would capture.
 * Binds port 0 and reads its port back.
 */
export class RecordingProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** Everything forwarded so far, oldest first. */
    readonly requests: RecordedRequest[],
  ) {}

  /** Starts a proxy to `target` (`http://127.0.0.1:port`; the port may be one nothing listens on yet). */
  static async start(target: string): Promise<RecordingProxy> {
    const records: RecordedRequest[] = [];
    const to = new URL(target);
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const forwarded = httpRequest(
          { hostname: to.hostname, port: to.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
          (answer) => {
            records.push({
              method: incoming.method ?? 'GET',
              path: incoming.url ?? '/',
              headers: plainHeaders(incoming.headers),
              body: body.toString('utf8'),
              status: answer.statusCode ?? 0,
            });
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        forwarded.on('error', () => outgoing.destroy());
        forwarded.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new RecordingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, records);
  }

  /** The recorded requests to paths starting with `prefix` that got a 2xx answer, oldest first. */
  accepted(method: string, prefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(prefix) && r.status >= 200 && r.status < 300);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Headers as one string each, the signature headers among them, ready to be sent again. */
function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') plain[name] = value;
  return plain;
}
