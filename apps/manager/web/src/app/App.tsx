import { Suspense, type ReactNode } from 'react';
import { SocketProvider } from '../live/socket';
import { SignInScreen } from '../screens/sign-in/SignInScreen';
import { Loading } from '../ui/Spinner';
import { AuthProvider, useAuth } from './auth';
import { Layout } from './Layout';
import { Redirect, useLocation } from './router';
import { routeFor } from './routes';

export function App(): ReactNode {
  return (
    <AuthProvider>
      <Gate />
    </AuthProvider>
  );
}

/** Signed out: the sign-in page (remembering where the person was going); signed in: the app. */
function Gate(): ReactNode {
  const { user } = useAuth();
  const location = useLocation();
  if (user === undefined) return <Loading what="Dais" />;
  if (user === null) {
    if (!location.startsWith('/sign-in')) return <Redirect to={`/sign-in?next=${encodeURIComponent(location)}`} />;
    return <SignInScreen />;
  }
  if (location.startsWith('/sign-in')) return <Redirect to={safeNext(new URLSearchParams(location.split('?')[1] ?? '').get('next'))} />;
  return (
    <SocketProvider>
      <Layout>
        <Suspense fallback={<Loading what="the page" />}>
          <CurrentScreen location={location} admin={user.role === 'admin'} />
        </Suspense>
      </Layout>
    </SocketProvider>
  );
}

function CurrentScreen({ location, admin }: { location: string; admin: boolean }): ReactNode {
  const match = routeFor(location, admin);
  if (!match) {
    return (
      <section>
        <h1>Page not found</h1>
        <p>There is nothing at this address. Go back to your sites.</p>
      </section>
    );
  }
  const Screen = match.screen;
  return <Screen params={match.params} />;
}

/** Only paths inside the dashboard: a `next` pointing elsewhere (`//evil.example`) goes to the sites. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/sites';
  return next;
}
