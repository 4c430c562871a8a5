import type { UserView } from '@dais/shared';
import type { UserRecord } from './user';

/** A user as the API shows it: never the password hash or SSO subject. */
export function toUserView(user: UserRecord): UserView {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    role: user.role,
    disabled: user.disabled,
    hasPassword: user.passwordHash !== null,
    sso: user.oidcSubject !== null,
    createdAt: user.createdAt.toISOString(),
  };
}
