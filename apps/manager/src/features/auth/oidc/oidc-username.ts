import { usernameSchema } from '@dais/shared';

/** What a provider may tell about a person, as far as choosing a username goes. */
export interface NameClaims {
  preferredUsername?: string | undefined;
  email?: string | undefined;
}

/** Usernames are at most this long (`usernameSchema`). */
const MAX_LENGTH = 32;

/**
 * A valid Dais username for a new single sign-on account: from `preferred_username`, else the
 * local part of the email address, folded to lowercase ASCII letters, digits, `_` and `-`
 * (`José.García` → `jose-garcia`); `user` when nothing usable is left.
 */
export function usernameFromClaims(claims: NameClaims): string {
  const source = claims.preferredUsername?.trim() || claims.email?.trim() || '';
  const local = source.includes('@') ? source.slice(0, source.lastIndexOf('@')) : source;
  const folded = local
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-{2,}/g, '-')
    .slice(0, MAX_LENGTH)
    .replace(/[-_]+$/, '');
  return usernameSchema.safeParse(folded).success ? folded : 'user';
}

/** The `n`-th alternative when a username is taken (`alice` → `alice2`), still at most 32 characters. */
export function withNumericSuffix(username: string, n: number): string {
  const suffix = String(n);
  return `${username.slice(0, MAX_LENGTH - suffix.length)}${suffix}`;
}
