import type { Readable } from 'node:stream';
import { DaisError } from '../errors/dais-error';
import { errorBodySchema } from '../errors/error-body';
import { isErrorCode } from '../errors/error-codes';

/**
 * The one decoder of a peer's refusal (a non-2xx answer to a request or to a websocket upgrade):
 * the peer's own coded error passes through as is, except INTERNAL, which to its caller is a failed
 * peer (PEER_ERROR); any other answer (a load balancer's page, an unknown code) is PEER_ERROR,
 * naming the status and what the answer said, so an admin can tell which layer said no.
 */
export function refusalError(peer: string, status: number, body: string, request: string): DaisError {
  const parsed = errorBodySchema.safeParse(safeJson(body));
  if (parsed.success && isErrorCode(parsed.data.error.code)) {
    const { code, message, details } = parsed.data.error;
    return new DaisError(code === 'INTERNAL' ? 'PEER_ERROR' : code, message, details);
  }
  const said = parsed.success
    ? `: ${parsed.data.error.code} ${parsed.data.error.message.slice(0, 200).replace(/\.$/, '')}`
    : ' without a Dais error body';
  return new DaisError('PEER_ERROR', `${capitalized(peer)} answered HTTP ${status} to ${request}${said}.`);
}

/** The peer could not be reached, or did not answer in time: a retry may help. */
export function unreachableError(peer: string, error: unknown): DaisError {
  return new DaisError('PEER_UNAVAILABLE', `Could not reach ${peer}: ${describeFailure(error)}.`, undefined, { cause: error });
}

/** The connection broke while the peer's answer was streaming. */
export function lostError(peer: string, error: unknown): DaisError {
  return new DaisError('PEER_UNAVAILABLE', `Lost ${peer} while it answered: ${describeFailure(error)}.`, undefined, { cause: error });
}

/** An answer that parsed as JSON but not as the contract said. */
export function contractError(peer: string, request: string): DaisError {
  return new DaisError('PEER_ERROR', `${capitalized(peer)} sent an answer that does not match the contract for ${request}.`);
}

/** The name of a deadline error, so every timeout reads "timed out" whatever layer raised it. */
export const TIMEOUT_ERROR = 'TimeoutError';

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  if (error.name === TIMEOUT_ERROR || /timed out/i.test(error.message)) return 'timed out';
  return (error as NodeJS.ErrnoException).code ?? error.message;
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

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
