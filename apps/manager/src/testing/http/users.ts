import type { AuthenticatedUser } from '../../features/auth/authenticated-user';

/** A signed-in user who is a member of no site the test names (an API token: no session). */
export const OUTSIDER: AuthenticatedUser = { id: 31, role: 'user', username: 'olga', ip: '192.0.2.31', session: null };

/** A signed-in user who is a member of the site the test names. */
export const MEMBER: AuthenticatedUser = { id: 11, role: 'user', username: 'alice', ip: '192.0.2.11', session: null };

/** An admin (an API token). */
export const ADMIN: AuthenticatedUser = { id: 1, role: 'admin', username: 'admin', ip: '192.0.2.1', session: null };

/** The member signed in with a browser session instead of a token. */
export const MEMBER_WITH_SESSION: AuthenticatedUser = {
  ...MEMBER,
  session: { id: 5, csrfToken: 'csrf-of-alice', expiresAt: new Date('2030-01-01T00:00:00Z'), extended: false },
};
