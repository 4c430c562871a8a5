import type { KeyObject } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { z } from 'zod';
import { DaisError } from '../errors/dais-error';
import { errorBodySchema } from '../errors/error-body';
import { isErrorCode, type ErrorCode } from '../errors/error-codes';
import { correlationHeaders } from '../logging/correlation';
import { signRequest } from '../signing/sign';
import type { OutboundTls } from './outbound-tls';

/** Where a {@link SignedHttpClient} sends requests and as whom. */
export interface SignedHttpClientOptions {
  baseUrl: string;
  callerId: string;
  audience: string;
  privateKey: KeyObject;
  /** Per-request deadline (default 30 s). */
  timeoutMs?: number;
  /** Client certificate and CA for an https:// peer behind a load balancer. */
  tls?: OutboundTls;
}

/** One call through a {@link SignedHttpClient}. */
export interface SignedCall<S extends z.ZodType> {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  response: S;
}

/**
 * HTTP client for component-to-component calls: signs every request, parses every answer with
 * its contract, and turns failures into coded errors that say whether a retry can help.
 */
export class SignedHttpClient {
  private readonly url: URL;
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(private readonly options: SignedHttpClientOptions) {
    this.url = new URL(options.baseUrl);
    // Kept-alive connections: a TLS handshake (with a client certificate) per call would dominate.
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent({ ...options.tls, keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  /** Sends one signed request and returns the parsed response body. */
  async call<S extends z.ZodType>(call: SignedCall<S>): Promise<z.output<S>> {
    const { response, done } = await this.send(call, this.options.timeoutMs ?? 30_000);
    try {
      const json = safeJson(await readText(response).catch(() => ''));
      if (!isOk(response)) throw peerError(this.peer, response.statusCode ?? 0, json);
      return this.parse(call, call.response, json);
    } finally {
      done();
    }
  }

  /**
   * Sends one signed request whose answer is newline-delimited JSON, handing each line (parsed
   * with the call's schema) to `onEvent` as it arrives. `timeoutMs` bounds the whole exchange.
   */
  async stream<S extends z.ZodType>(
    call: SignedCall<S>,
    onEvent: (event: z.output<S>) => Promise<void> | void,
    timeoutMs: number,
  ): Promise<void> {
    const { response, done } = await this.send(call, timeoutMs);
    try {
      if (!isOk(response)) throw peerError(this.peer, response.statusCode ?? 0, safeJson(await readText(response).catch(() => '')));
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of response) {
        buffered += decoder.decode(chunk as Buffer, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) await onEvent(this.parse(call, call.response, safeJson(line)));
      }
      if (buffered.trim()) await onEvent(this.parse(call, call.response, safeJson(buffered)));
    } catch (error) {
      if (error instanceof DaisError) throw error;
      throw new DaisError('PEER_UNAVAILABLE', `Lost ${this.peer} while it answered: ${describeFetchError(error)}.`, undefined, {
        cause: error,
      });
    } finally {
      done();
    }
  }

  /** Closes kept-alive connections (at shutdown). */
  close(): void {
    this.agent.destroy();
  }

  private get peer(): string {
    return `${this.options.audience} (${this.options.baseUrl})`;
  }

  /**
   * Sends the request and resolves with the answer's head; the body streams. `timeoutMs` bounds
   * the whole exchange: past it the connection is destroyed, which fails the read in progress.
   * `done` clears the deadline once the caller has read what it wanted.
   */
  private send(call: SignedCall<z.ZodType>, timeoutMs: number): Promise<{ response: IncomingMessage; done: () => void }> {
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const path = this.url.pathname.replace(/\/$/, '') + call.path;
    const headers: Record<string, string> = signRequest(
      { callerId: this.options.callerId, privateKey: this.options.privateKey },
      { audience: this.options.audience, method: call.method, path, body: body ?? '' },
    );
    Object.assign(headers, correlationHeaders());
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const request = (this.url.protocol === 'https:' ? httpsRequest : httpRequest)({
      hostname: this.url.hostname,
      port: this.url.port,
      path,
      method: call.method,
      headers,
      agent: this.agent,
    });
    const deadline = setTimeout(() => request.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), timeoutMs);
    const done = () => clearTimeout(deadline);
    return new Promise((resolve, reject) => {
      request.once('response', (response) => resolve({ response, done }));
      request.once('error', (error) => {
        done();
        reject(
          new DaisError('PEER_UNAVAILABLE', `Could not reach ${this.peer}: ${describeFetchError(error)}.`, undefined, { cause: error }),
        );
      });
      request.end(body);
    });
  }

  private parse<S extends z.ZodType>(call: SignedCall<z.ZodType>, schema: S, json: unknown): z.output<S> {
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new DaisError('PEER_ERROR', `${this.peer} sent an answer that does not match the contract for ${call.method} ${call.path}.`);
    return parsed.data;
  }
}

function peerError(peer: string, status: number, json: unknown): DaisError {
  const parsed = errorBodySchema.safeParse(json);
  if (parsed.success && isErrorCode(parsed.data.error.code)) {
    const code: ErrorCode = parsed.data.error.code === 'INTERNAL' ? 'PEER_ERROR' : parsed.data.error.code;
    return new DaisError(code, parsed.data.error.message, parsed.data.error.details);
  }
  return new DaisError('PEER_ERROR', `${peer} answered HTTP ${status} without a Dais error body.`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    return (error as NodeJS.ErrnoException).code ?? error.message;
  }
  return 'unknown error';
}

function isOk(response: IncomingMessage): boolean {
  const status = response.statusCode ?? 0;
  return status >= 200 && status < 300;
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
