import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { canonicalString, SIGNATURE_HEADERS } from './canonical';

/** Who signs, for whom. */
export interface SignerIdentity {
  callerId: string;
  privateKey: KeyObject;
}

/** A request to sign. */
export interface RequestToSign {
  audience: string;
  method: string;
  path: string;
  body?: Uint8Array | string;
  /** Injected in tests to sign with a skewed clock. */
  now?: number;
}

/** Returns the headers that prove `identity` sent this exact request to `audience`, once. */
export function signRequest(identity: SignerIdentity, request: RequestToSign): Record<string, string> {
  const timestamp = String(request.now ?? Date.now());
  const nonce = randomBytes(18).toString('base64url');
  const canonical = canonicalString({
    method: request.method,
    path: request.path,
    caller: identity.callerId,
    audience: request.audience,
    timestamp,
    nonce,
    body: request.body ?? '',
  });
  return {
    [SIGNATURE_HEADERS.caller]: identity.callerId,
    [SIGNATURE_HEADERS.audience]: request.audience,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: sign(null, Buffer.from(canonical), identity.privateKey).toString('base64url'),
  };
}
