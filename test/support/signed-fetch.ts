import type { KeyObject } from 'node:crypto';
import { signRequest } from '@dais/shared';

/** Who a test request claims to be and whom it is for. */
export interface TestSigner {
  callerId: string;
  privateKey: KeyObject;
  audience: string;
}

/** A raw answer: tests check statuses the typed client would turn into exceptions. */
export interface RawAnswer {
  status: number;
  json: unknown;
}

/** Options to build requests a real caller would never send. */
export interface SignedFetchOptions {
  body?: unknown;
  /** Sign with this clock instead of now (expired requests). */
  now?: number;
  /** Change the headers after signing (forgeries). */
  tamper?(headers: Record<string, string>): void;
  /** Send these exact headers again (replays). */
  reuse?: Record<string, string>;
  /** Send this body instead of the one that was signed. */
  sentBody?: string;
}

/** Sends a signed JSON request and returns the status and parsed body, whatever the status. */
export async function signedFetch(
  baseUrl: string,
  signer: TestSigner | null,
  method: string,
  path: string,
  options: SignedFetchOptions = {},
): Promise<RawAnswer & { headers: Record<string, string> }> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> =
    options.reuse ??
    (signer
      ? signRequest(
          { callerId: signer.callerId, privateKey: signer.privateKey },
          { audience: signer.audience, method, path, body: body ?? '', ...(options.now === undefined ? {} : { now: options.now }) },
        )
      : {});
  options.tamper?.(headers);
  const sent = { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const response = await fetch(baseUrl + path, { method, headers: sent, body: options.sentBody ?? body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json, headers };
}
