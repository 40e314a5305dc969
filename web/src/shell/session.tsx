import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, get, post, rememberCsrf, request, whenUnauthenticated } from '../api/client.ts';
import type { Me, SignedIn } from '../api/types.ts';

interface SessionValue {
  /** Who is signed in; null: nobody (the sign-in page); undefined: still asking. */
  me: Me | null | undefined;
  signIn(name: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      setMe(await get<Me>('/api/session'));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setMe(null);
      else throw error;
    }
  }, []);

  useEffect(() => {
    whenUnauthenticated(() => {
      rememberCsrf(null);
      setMe(null);
    });
    void refresh().catch(() => setMe(null));
  }, [refresh]);

  const signIn = useCallback(
    async (name: string, password: string) => {
      const session = await post<SignedIn>('/api/session', { name, password });
      rememberCsrf(session.csrfToken);
      await refresh();
    },
    [refresh],
  );

  const signOut = useCallback(async () => {
    await request('DELETE', '/api/session').catch(() => {});
    rememberCsrf(null);
    setMe(null);
  }, []);

  return <SessionContext.Provider value={{ me, signIn, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user, inside the signed-in part of the app. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe before sign-in');
  return me;
}
