import type { ReactNode } from 'react';
import { useSocket } from '../live/socket';
import { Button } from '../ui/Button';
import { useAction } from '../api/use-api';
import { useAccount, useAuth } from './auth';
import { Link, useLocation } from './router';

/** The frame around every signed-in page: navigation, who is signed in, and the connection's state. */
export function Layout({ children }: { children: ReactNode }): ReactNode {
  const account = useAccount();
  const { signOut } = useAuth();
  const location = useLocation();
  const signingOut = useAction(signOut);
  const current = (prefix: string): 'page' | undefined =>
    location === prefix || location.startsWith(`${prefix}/`) || location.startsWith(`${prefix}?`) ? 'page' : undefined;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/sites" className="brand">
          Dais
        </Link>
        <nav aria-label="Main">
          <Link to="/sites" aria-current={current('/sites')}>
            Sites
          </Link>
          <Link to="/account" aria-current={current('/account')}>
            Account
          </Link>
          {account.role === 'admin' ? (
            <Link to="/admin" aria-current={current('/admin')}>
              Admin
            </Link>
          ) : null}
        </nav>
        <div className="topbar-user">
          <span className="topbar-username" title={account.username}>
            {account.displayName || account.username}
          </span>
          <Button variant="ghost" busy={signingOut.busy} onClick={() => void signingOut.run()}>
            Sign out
          </Button>
        </div>
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** Says so when live updates stop (and that the page will catch up), instead of going quietly stale. */
function ConnectionBanner(): ReactNode {
  const { state } = useSocket();
  if (state !== 'reconnecting') return null;
  return (
    <div className="banner banner-warning" role="status" data-testid="connection-banner">
      Connection to Dais lost — reconnecting. Live updates are paused; this page refreshes when the connection is back.
    </div>
  );
}
