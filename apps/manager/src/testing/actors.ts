import type { AuthenticatedUser } from '../features/auth/authenticated-user';

/** A signed-in user, with no session or address unless given. */
export function actor(id: number, username: string, role: 'admin' | 'user' = 'user'): AuthenticatedUser {
  return { id, username, role, ip: null, session: null };
}

export const alice = actor(1, 'alice');
export const bob = actor(2, 'bob');
export const root = actor(9, 'root', 'admin');
