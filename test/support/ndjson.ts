import { signRequest } from '@dais/shared';
import type { TestSigner } from './signed-fetch';

/** One line of a newline-delimited JSON answer, with when it arrived (ms after the request was sent). */
export interface StreamedLine {
  value: unknown;
  atMs: number;
}

/** A streamed answer read to its end, or a plain one (an error before the stream started). */
export interface StreamedAnswer {
  status: number;
  contentType: string;
  /** The NDJSON lines, parsed, in order; empty for a non-NDJSON answer. */
  lines: StreamedLine[];
  /** The parsed body of a non-NDJSON answer (a JSON error). */
  json: unknown;
  /** Whether the reader hung up early because `stopWhen` matched. */
  stopped: boolean;
  elapsedMs: number;
}

/** Options for {@link signedNdjson}. */
export interface NdjsonOptions {
  /** Hang up (abort the request) right after a line for which this returns true. */
  stopWhen?(value: unknown): boolean;
}

/**
 * Sends a signed JSON request and reads a newline-delimited JSON answer line by line as it
 * arrives, recording the arrival time of each line (to prove streaming, not buffering).
 */
export async function signedNdjson(
  baseUrl: string,
  signer: TestSigner | null,
  method: string,
  path: string,
  body: unknown,
  options: NdjsonOptions = {},
): Promise<StreamedAnswer> {
  const text = JSON.stringify(body);
  const headers = signer
    ? signRequest({ callerId: signer.callerId, privateKey: signer.privateKey }, { audience: signer.audience, method, path, body: text })
    : {};
  const abort = new AbortController();
  const started = performance.now();
  const response = await fetch(baseUrl + path, {
    method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: text,
    signal: abort.signal,
  });
  const contentType = response.headers.get('content-type') ?? '';
  const answer: StreamedAnswer = { status: response.status, contentType, lines: [], json: undefined, stopped: false, elapsedMs: 0 };
  if (!contentType.startsWith('application/x-ndjson') || !response.body) {
    const raw = await response.text();
    try {
      answer.json = JSON.parse(raw);
    } catch {
      answer.json = raw;
    }
    answer.elapsedMs = performance.now() - started;
    return answer;
  }

  const decoder = new TextDecoder();
  let pending = '';
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
      pending += decoder.decode(value, { stream: !done });
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete.filter((entry) => entry.length > 0)) {
        const parsed: unknown = JSON.parse(line);
        answer.lines.push({ value: parsed, atMs: performance.now() - started });
        if (options.stopWhen?.(parsed)) {
          answer.stopped = true;
          abort.abort();
          answer.elapsedMs = performance.now() - started;
          return answer;
        }
      }
      if (done) break;
    }
  } finally {
    reader.releaseLock();
  }
  if (pending.length > 0) throw new Error(`the stream ended in the middle of a line: ${pending}`);
  answer.elapsedMs = performance.now() - started;
  return answer;
}
