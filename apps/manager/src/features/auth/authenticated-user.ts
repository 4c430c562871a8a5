import { DaisError } from '@dais/shared';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { SiteViewer } from '../sites/site.repository';

/** The user a request acts for, and how it proved it. */
export interface AuthenticatedUser extends SiteViewer {
  username: string;
  /** The client's address (for the audit log and rate limits). */
  ip: string | null;
  /** Set when signed in with a session cookie (null for an API token). */
  session: { id: number; csrfToken: string; expiresAt: Date; extended: boolean } | null;
}

/** Requests that passed the auth guard carry their user. */
export interface AuthenticatedRequest {
  user?: AuthenticatedUser;
}

/** Controller parameter: the authenticated user (the guard guarantees one on `/api` routes). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!user) throw new Error('CurrentUser used on a route without authentication');
  return user;
});

/** Refuses non-admins with a 403 that says what needed an admin. */
export function assertAdmin(user: AuthenticatedUser, what: string): void {
  if (user.role !== 'admin') throw new DaisError('FORBIDDEN', `Only admins may ${what}.`);
}
