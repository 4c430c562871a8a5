import { createHash, randomBytes } from 'node:crypto';

/** Prefix that makes Dais tokens recognizable (e.g. by secret scanners). */
const TOKEN_PREFIX = 'dais_';
const TOKEN_FORMAT = /^dais_[A-Za-z0-9_-]{43}$/;

/** A new random API token (256 bits). Shown to its owner once; only its hash is stored. */
export function generateApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a token. Tokens are random, so a plain SHA-256 is enough (no salt or stretching needed). */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Cheap shape check before touching the database. */
export function looksLikeApiToken(value: string): boolean {
  return TOKEN_FORMAT.test(value);
}
