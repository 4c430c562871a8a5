import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { manager } from '../api/client';
import { takePrefetched } from '../api/prefetch';
import { asApiError } from '../api/api-error';
import type { AccountView } from '../api/types';

interface Session {
  user: AccountView;
  csrfToken: string | null;
}

interface AuthState {
  /** undefined while the first `GET /api/auth/me` is on its way; null when signed out. */
  user: AccountView | null | undefined;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Re-reads the account (after a change of password or profile). */
  refresh: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

/** Who is signed in, for the whole app; a 401 from any request signs the app out. */
export function AuthProvider({ children }: { children: ReactNode }): ReactNode {
  const [user, setUser] = useState<AccountView | null | undefined>(undefined);

  const adopt = useCallback((session: Session | null) => {
    manager.setCsrfToken(session?.csrfToken ?? null);
    setUser(session?.user ?? null);
  }, []);

  const refresh = useCallback(async () => {
    try {
      adopt(await (takePrefetched<Session>('/api/auth/me') ?? manager.get<Session>('/api/auth/me')));
    } catch (error) {
      if (asApiError(error).status === 401) adopt(null);
      else throw error;
    }
  }, [adopt]);

  useEffect(() => {
    refresh().catch(() => adopt(null));
    return manager.onSignedOut(() => adopt(null));
  }, [refresh, adopt]);

  const value = useMemo<AuthState>(
    () => ({
      user,
      refresh,
      async signIn(username, password) {
        adopt(await manager.post<Session>('/api/auth/login', { username, password }));
      },
      async signOut() {
        try {
          await manager.post('/api/auth/logout');
        } finally {
          adopt(null);
        }
      },
    }),
    [user, refresh, adopt],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}

/** The signed-in account (screens behind sign-in only). */
export function useAccount(): AccountView {
  const { user } = useAuth();
  if (!user) throw new Error('useAccount while signed out');
  return user;
}
