import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DaisError, errorBodySchema, isErrorCode, type OutboundTls } from '@dais/shared';

/** One already-signed streaming call to a peer: where, how, and what to send. */
export interface StreamedExchange {
  /** How the peer is named in errors (`orchestrator`, `router`), and the base URL it was configured with. */
  peer: string;
  peerUrl: string;
  url: URL;
  method: 'GET' | 'PUT' | 'POST';
  headers: OutgoingHttpHeaders;
  /** The client certificate and CA for `https:` URLs (balancers in front of the peer). */
  tls: OutboundTls | undefined;
  timeoutMs: number;
  /** A JSON text, or a stream piped as it is read; nothing for a bodiless request. */
  body?: string | Readable;
}

/**
 * Sends a signed request over node:http with its body streamed end to end (no web-stream
 * conversion, no buffering) and answers the response of a 2xx; anything else becomes the peer's
 * own coded error, or PEER_UNAVAILABLE / PEER_ERROR. Shared by the file and backup clients.
 */
export async function streamedExchange(call: StreamedExchange): Promise<IncomingMessage> {
  const { url, method, headers, timeoutMs, body } = call;
  const tls = url.protocol === 'https:' ? (call.tls ?? {}) : {};
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers, timeout: timeoutMs, ...tls }, resolve);
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    if (body === undefined || typeof body === 'string') request.end(body);
    else pipeline(body, request).catch(reject);
  }).catch((error: unknown) => {
    const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : 'unknown error';
    throw new DaisError('PEER_UNAVAILABLE', `Could not reach the ${call.peer} (${call.peerUrl}): ${reason}.`, undefined, { cause: error });
  });
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) throw peerError(call.peer, status, safeJson(await readAll(response)));
  return response;
}

/** Reads a (small) answer body whole: errors and results only, never file or archive content. */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON of a text, or undefined when it is not JSON (a proxy's HTML error page, say). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function peerError(peer: string, status: number, json: unknown): DaisError {
  const parsed = errorBodySchema.safeParse(json);
  if (parsed.success && isErrorCode(parsed.data.error.code) && parsed.data.error.code !== 'INTERNAL') {
    return new DaisError(parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
  }
  return new DaisError('PEER_ERROR', `The ${peer} answered HTTP ${status} without a Dais error body.`);
}
