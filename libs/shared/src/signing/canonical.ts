import { createHash } from 'node:crypto';

/** Header names carrying a request's signature. */
export const SIGNATURE_HEADERS = {
  caller: 'x-dais-caller',
  audience: 'x-dais-audience',
  timestamp: 'x-dais-timestamp',
  nonce: 'x-dais-nonce',
  signature: 'x-dais-signature',
} as const;

/** What a signature covers. The audience stops a request meant for one component being replayed to another. */
export interface SignedParts {
  method: string;
  /** Path plus query string, exactly as sent on the request line. */
  path: string;
  caller: string;
  audience: string;
  timestamp: string;
  nonce: string;
  body: Uint8Array | string;
}

/** SHA-256 of the body, hex; an absent body hashes as empty. */
export function bodyDigest(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The exact bytes that get signed: one field per line, versioned so the format can evolve. */
export function canonicalString(parts: SignedParts): string {
  return [
    'DAIS-SIG-1',
    parts.method.toUpperCase(),
    parts.path,
    parts.caller,
    parts.audience,
    parts.timestamp,
    parts.nonce,
    bodyDigest(parts.body),
  ].join('\n');
}
