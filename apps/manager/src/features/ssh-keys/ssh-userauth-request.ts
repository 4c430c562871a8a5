import { SshWireReader, WireFormatError } from './ssh-wire-reader';

/** `SSH_MSG_USERAUTH_REQUEST` (RFC 4252 §6). */
const USERAUTH_REQUEST = 50;
/** A session identifier is the exchange hash: SHA-1 (20 bytes) to SHA-512 (64 bytes). */
const SESSION_ID_BYTES = { min: 20, max: 64 } as const;

/**
 * What an SSH client signs to prove it holds a key (RFC 4252 §7): the session identifier, then
 * its `publickey` sign-in request with the "signature follows" flag set.
 */
export interface SignedUserauthRequest {
  /** The exchange hash of the client's connection: unique to that connection. */
  sessionId: Buffer;
  /** The login name as the client sent it (`alice`, `alice+blog`, `alice/blog`). */
  user: string;
  service: string;
  /** The public key algorithm the client signed with (`ssh-ed25519`, `rsa-sha2-512`, …). */
  algorithm: string;
  /** The public key blob, as in the key's `.pub` line. */
  keyBlob: Buffer;
}

/**
 * Parses the data a client signed for a `publickey` sign-in; throws a WireFormatError for
 * anything else (another message, another method, a query without the signature flag, trailing bytes).
 */
export function parseSignedUserauthRequest(data: Buffer): SignedUserauthRequest {
  const reader = new SshWireReader(data, 'signed request');
  const sessionId = reader.bytes('session identifier');
  if (sessionId.length < SESSION_ID_BYTES.min || sessionId.length > SESSION_ID_BYTES.max) {
    throw new WireFormatError(
      `a session identifier is ${SESSION_ID_BYTES.min} to ${SESSION_ID_BYTES.max} bytes; this one is ${sessionId.length}`,
    );
  }
  if (reader.byte('message type') !== USERAUTH_REQUEST) throw new WireFormatError('the signed data is not a sign-in request');
  const user = utf8(reader.bytes('user name'));
  const service = reader.text('service');
  if (reader.text('method') !== 'publickey') throw new WireFormatError('the signed request is not a public key sign-in');
  if (reader.byte('signature flag') !== 1) throw new WireFormatError('the signed request does not announce a signature');
  const algorithm = reader.text('algorithm');
  const keyBlob = reader.bytes('public key');
  if (!reader.done) throw new WireFormatError('the signed request has bytes after the public key');
  return { sessionId, user, service, algorithm, keyBlob };
}

function utf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new WireFormatError('the user name is not UTF-8');
  }
}
