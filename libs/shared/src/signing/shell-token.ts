import { randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { DaisError } from '../errors/dais-error';
import type { NonceStore } from './nonce-store';

/** Longest a shell token may live: the shell uses it at once to open the session. */
export const SHELL_TOKEN_MAX_TTL_MS = 60_000;

const DOMAIN = 'DAIS-SHELL-TOKEN-1\n';

/** What a shell token grants: this user a session in this site, once, until `exp`. */
export const shellTokenClaimsSchema = z.strictObject({
  siteId: z.number().int().positive(),
  userId: z.number().int().positive(),
  username: z.string().min(1).max(64),
  /** When the manager issued it (ms since the epoch, the manager's clock): access it ended after that refuses it. */
  iat: z.number().int().positive(),
  /** Expiry, milliseconds since the epoch. */
  exp: z.number().int().positive(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});

/** Parsed form of {@link shellTokenClaimsSchema}. */
export type ShellTokenClaims = z.output<typeof shellTokenClaimsSchema>;

/** Issues a token signed with the manager's key, valid for `ttlMs` (at most 60 s). */
export function issueShellToken(
  privateKey: KeyObject,
  grant: { siteId: number; userId: number; username: string },
  ttlMs: number,
  now = Date.now(),
): string {
  const claims: ShellTokenClaims = {
    ...grant,
    iat: now,
    exp: now + Math.min(ttlMs, SHELL_TOKEN_MAX_TTL_MS),
    nonce: randomBytes(18).toString('base64url'),
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${sign(null, Buffer.from(DOMAIN + payload), privateKey).toString('base64url')}`;
}

/** Prefix of a shell token's nonce in a {@link NonceStore} shared with request nonces. */
const NONCE_KEY = 'shell-token:';

/**
 * Checks a shell token: signed by the manager, for this site, not expired, and never seen before
 * (the nonce store makes it single-use). Rejects with a coded 401 otherwise.
 */
export async function verifyShellToken(
  publicKey: KeyObject,
  token: string,
  expect: { siteId: number; nonces: NonceStore; now?: number },
): Promise<ShellTokenClaims> {
  const now = expect.now ?? Date.now();
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || token.length > 2_000)
    throw new DaisError('SHELL_TOKEN_INVALID', 'The shell token is malformed.');
  if (!verify(null, Buffer.from(DOMAIN + payload), publicKey, Buffer.from(signature, 'base64url'))) {
    throw new DaisError('SHELL_TOKEN_INVALID', 'The shell token was not issued by the manager.');
  }
  let claims: ShellTokenClaims;
  try {
    claims = shellTokenClaimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new DaisError('SHELL_TOKEN_INVALID', 'The shell token is malformed.');
  }
  if (claims.siteId !== expect.siteId) throw new DaisError('SHELL_TOKEN_INVALID', 'The shell token is for another site.');
  if (claims.exp <= now) throw new DaisError('SHELL_TOKEN_EXPIRED', 'The shell token expired; connect again.');
  if (!(await expect.nonces.remember(NONCE_KEY + claims.nonce, claims.exp, now)))
    throw new DaisError('SHELL_TOKEN_INVALID', 'The shell token was already used.');
  return claims;
}
