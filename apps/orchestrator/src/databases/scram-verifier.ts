import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's own default (`scram_iterations`). */
const ITERATIONS = 4096;

/** The keys of a SCRAM-SHA-256 verifier, as RFC 5802 derives them from a password. */
export interface ScramKeys {
  storedKey: Buffer;
  serverKey: Buffer;
}

/** Derives the SCRAM-SHA-256 keys (RFC 5802 §3) for a password, salt and iteration count. */
export function scramSha256Keys(password: string, salt: Buffer, iterations = ITERATIONS): ScramKeys {
  // SASLprep leaves the contract's ASCII passwords unchanged, so the UTF-8 bytes are the input.
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/**
 * A PostgreSQL SCRAM-SHA-256 password verifier (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`).
 * `CREATE ROLE … PASSWORD '<verifier>'` stores it as is, so the plain password never reaches the
 * server, where a failed statement would be written to its log.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  const { storedKey, serverKey } = scramSha256Keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
