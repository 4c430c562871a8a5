import type { ReactNode } from 'react';
import { useAccount } from '../../app/auth';

/** Who is signed in, as the manager knows them. */
export function ProfileSummary(): ReactNode {
  const account = useAccount();
  return (
    <section className="card account-section" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <dl className="facts">
        <dt>Username</dt>
        <dd>
          <code>{account.username}</code>
        </dd>
        <dt>Display name</dt>
        <dd>{account.displayName || '—'}</dd>
        <dt>Role</dt>
        <dd>{account.role === 'admin' ? 'Administrator' : 'User'}</dd>
        <dt>Sign-in</dt>
        <dd>{account.sso ? 'Single sign-on' : 'Password'}</dd>
        <dt>Member since</dt>
        <dd>{new Date(account.createdAt).toLocaleDateString()}</dd>
      </dl>
    </section>
  );
}
