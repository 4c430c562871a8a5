import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { DaisError } from '../errors/dais-error';
import { errorBodySchema } from '../errors/error-body';
import { isErrorCode, type ErrorCode } from '../errors/error-codes';
import { signRequest } from '../signing/sign';

/** Where a {@link SignedHttpClient} sends requests and as whom. */
export interface SignedHttpClientOptions {
  baseUrl: string;
  callerId: string;
  audience: string;
  privateKey: KeyObject;
  /** Per-request deadline (default 30 s). */
  timeoutMs?: number;
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
  constructor(private readonly options: SignedHttpClientOptions) {}

  /** Sends one signed request and returns the parsed response body. */
  async call<S extends z.ZodType>(call: SignedCall<S>): Promise<z.output<S>> {
    const response = await this.send(call, this.options.timeoutMs ?? 30_000);
    const json = safeJson(await response.text().catch(() => ''));
    if (!response.ok) throw peerError(this.peer, response.status, json);
    return this.parse(call, call.response, json);
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
    const response = await this.send(call, timeoutMs);
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => '');
      throw peerError(this.peer, response.status, safeJson(text));
    }
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) await onEvent(this.parse(call, call.response, safeJson(line)));
    }
    if (buffered.trim()) await onEvent(this.parse(call, call.response, safeJson(buffered)));
  }

  private get peer(): string {
    return `${this.options.audience} (${this.options.baseUrl})`;
  }

  private async send(call: SignedCall<z.ZodType>, timeoutMs: number): Promise<Response> {
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string> = signRequest(
      { callerId: this.options.callerId, privateKey: this.options.privateKey },
      { audience: this.options.audience, method: call.method, path: call.path, body: body ?? '' },
    );
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(this.options.baseUrl + call.path, { method: call.method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new DaisError('PEER_UNAVAILABLE', `Could not reach ${this.peer}: ${describeFetchError(error)}.`, undefined, { cause: error });
    }
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
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? error.message;
  }
  return 'unknown error';
}
