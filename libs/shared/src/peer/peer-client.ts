import type { KeyObject } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type WebSocket from 'ws';
import type { z } from 'zod';
import { DaisError } from '../errors/dais-error';
import type { OutboundTls } from '../http/outbound-tls';
import { correlationHeaders } from '../logging/correlation';
import { signRequest } from '../signing/sign';
import { contractError, lostError, readAll, refusalError, safeJson, TIMEOUT_ERROR, unreachableError } from './peer-errors';
import { openUpgrade } from './peer-upgrade';

/** Where a {@link PeerClient} sends requests and as whom. */
export interface PeerClientOptions {
  baseUrl: string;
  callerId: string;
  audience: string;
  privateKey: KeyObject;
  /** How errors name the peer ("the manager"); by default its audience and URL, "orchestrator (http://…)". */
  name?: string;
  /** Deadline of a JSON call and of a websocket handshake (default 30 s). */
  timeoutMs?: number;
  /** Client certificate and CA for an https:// or wss:// peer behind a load balancer. */
  tls?: OutboundTls;
}

/** One JSON call: the body is signed with its digest, the answer parsed with `response`. */
export interface PeerCall<S extends z.ZodType> {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  response: S;
}

/** A body streamed to the peer as it is read (signed with an empty digest: what must be checked goes in the signed query). */
export interface PeerUpload {
  body: Readable;
  contentType: string;
  /** Announced when known; otherwise the body is sent chunked. */
  length?: number;
}

/** One exchange whose request or answer body is a stream (a file, an archive, a dump). */
export interface PeerTransfer {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  /** A JSON body (signed with its digest), or a streamed one. */
  body?: { json: unknown } | { upload: PeerUpload };
  /** Longest the exchange may go without a byte moving (a transfer is as long as its bytes). */
  idleTimeoutMs: number;
}

/** What `send` writes and how long it may take. */
interface Outgoing {
  method: string;
  path: string;
  body: string | Readable | undefined;
  headers: OutgoingHttpHeaders;
  signedBody: string;
  timeout: { deadlineMs: number } | { idleMs: number };
}

/**
 * The one client for component-to-component calls: signs every request (and websocket upgrade),
 * forwards the correlation id of the work in progress, streams bodies both ways with backpressure,
 * and turns every failure into a coded error that says whether a retry can help (peer-errors.ts).
 */
export class PeerClient {
  private readonly url: URL;
  private kept: HttpAgent | HttpsAgent | undefined;

  constructor(private readonly options: PeerClientOptions) {
    this.url = new URL(options.baseUrl);
  }

  /** Sends one signed JSON request and returns the parsed answer. */
  async call<S extends z.ZodType>(call: PeerCall<S>): Promise<z.output<S>> {
    const response = await this.send(this.json(call.method, call.path, call.body, { deadlineMs: this.timeoutMs }));
    const text = await readAll(response).catch(() => '');
    if (!isOk(response)) throw this.refusal(response, text, call);
    return this.parse(call, safeJson(text));
  }

  /**
   * Sends one signed request whose answer is newline-delimited JSON, handing each line (parsed
   * with the call's schema) to `onEvent` as it arrives. `timeoutMs` bounds the whole exchange.
   */
  async stream<S extends z.ZodType>(
    call: PeerCall<S>,
    onEvent: (event: z.output<S>) => Promise<void> | void,
    timeoutMs: number,
  ): Promise<void> {
    const response = await this.send(this.json(call.method, call.path, call.body, { deadlineMs: timeoutMs }));
    try {
      if (!isOk(response)) throw this.refusal(response, await readAll(response).catch(() => ''), call);
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of response) {
        buffered += decoder.decode(chunk as Buffer, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) await onEvent(this.parse(call, safeJson(line)));
      }
      if (buffered.trim()) await onEvent(this.parse(call, safeJson(buffered)));
    } catch (error) {
      if (error instanceof DaisError) throw error;
      throw lostError(this.name, error);
    } finally {
      // An answer abandoned midway (a handler failed) must not hold its connection.
      if (!response.readableEnded) response.destroy();
    }
  }

  /**
   * One exchange with a streamed body either way: resolves with a 2xx answer whose body the caller
   * reads as a stream (backpressure reaches the peer), or rejects with the coded refusal.
   */
  async transfer(transfer: PeerTransfer): Promise<IncomingMessage> {
    const timeout = { idleMs: transfer.idleTimeoutMs };
    const { body } = transfer;
    const outgoing =
      body === undefined || 'json' in body
        ? this.json(transfer.method, transfer.path, body?.json, timeout)
        : {
            method: transfer.method,
            path: transfer.path,
            body: body.upload.body,
            headers: {
              'content-type': body.upload.contentType,
              ...(body.upload.length === undefined ? {} : { 'content-length': String(body.upload.length) }),
            },
            signedBody: '',
            timeout,
          };
    const response = await this.send(outgoing);
    if (!isOk(response)) throw this.refusal(response, await readAll(response).catch(() => ''), transfer);
    return response;
  }

  /**
   * Opens a signed websocket upgrade to `path` (with `headers` besides the signature). `onOpen`
   * runs as the socket opens, before any message can arrive, to attach the caller's listeners;
   * a refusal is decoded like any other answer.
   */
  upgrade<T>(path: string, headers: Record<string, string>, onOpen: (socket: WebSocket) => T): Promise<T> {
    const fullPath = this.fullPath(path);
    const signed = this.sign('GET', fullPath, '');
    const url = `${this.url.protocol === 'https:' ? 'wss:' : 'ws:'}//${this.url.host}${fullPath}`;
    return openUpgrade(
      { url, path, name: this.name, headers: { ...headers, ...signed }, handshakeTimeoutMs: this.timeoutMs, tls: this.options.tls },
      onOpen,
    );
  }

  /** Closes kept-alive connections (at shutdown). */
  close(): void {
    this.kept?.destroy();
  }

  private get name(): string {
    return this.options.name ?? `${this.options.audience} (${this.options.baseUrl})`;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 30_000;
  }

  /** Kept-alive connections: a TLS handshake (with a client certificate) per call would dominate. */
  private get agent(): HttpAgent | HttpsAgent {
    this.kept ??=
      this.url.protocol === 'https:' ? new HttpsAgent({ ...this.options.tls, keepAlive: true }) : new HttpAgent({ keepAlive: true });
    return this.kept;
  }

  private json(method: string, path: string, body: unknown, timeout: Outgoing['timeout']): Outgoing {
    if (body === undefined) return { method, path, body: undefined, headers: {}, signedBody: '', timeout };
    const text = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
    return { method, path, body: text, headers, signedBody: text, timeout };
  }

  /**
   * Sends the request and resolves with the answer's head; the body streams. A deadline destroys
   * the connection when it passes (failing the read in progress); an idle timeout does when no
   * byte moved for that long.
   */
  private send(outgoing: Outgoing): Promise<IncomingMessage> {
    const path = this.fullPath(outgoing.path);
    const request = (this.url.protocol === 'https:' ? httpsRequest : httpRequest)({
      hostname: this.url.hostname,
      port: this.url.port,
      path,
      method: outgoing.method,
      headers: { ...outgoing.headers, ...this.sign(outgoing.method, path, outgoing.signedBody) },
      agent: this.agent,
      ...('idleMs' in outgoing.timeout ? { timeout: outgoing.timeout.idleMs } : {}),
    });
    const timedOut = () => request.destroy(Object.assign(new Error('timed out'), { name: TIMEOUT_ERROR }));
    const deadline = 'deadlineMs' in outgoing.timeout ? setTimeout(timedOut, outgoing.timeout.deadlineMs) : undefined;
    request.on('timeout', timedOut);
    request.once('close', () => clearTimeout(deadline));
    return new Promise((resolve, reject) => {
      request.once('response', (response: IncomingMessage) => {
        response.once('end', () => clearTimeout(deadline));
        resolve(response);
      });
      request.once('error', (error) => reject(unreachableError(this.name, error)));
      const { body } = outgoing;
      if (body === undefined || typeof body === 'string') request.end(body);
      else pipeline(body, request).catch((error: unknown) => reject(unreachableError(this.name, error)));
    });
  }

  private sign(method: string, path: string, body: string): Record<string, string> {
    const { callerId, privateKey, audience } = this.options;
    return { ...correlationHeaders(), ...signRequest({ callerId, privateKey }, { audience, method, path, body }) };
  }

  private fullPath(path: string): string {
    return this.url.pathname.replace(/\/$/, '') + path;
  }

  private refusal(response: IncomingMessage, text: string, request: { method: string; path: string }): DaisError {
    return refusalError(this.name, response.statusCode ?? 0, text, `${request.method} ${request.path}`);
  }

  private parse<S extends z.ZodType>(call: PeerCall<S>, json: unknown): z.output<S> {
    const parsed = call.response.safeParse(json);
    if (!parsed.success) throw contractError(this.name, `${call.method} ${call.path}`);
    return parsed.data;
  }
}

function isOk(response: IncomingMessage): boolean {
  const status = response.statusCode ?? 0;
  return status >= 200 && status < 300;
}
