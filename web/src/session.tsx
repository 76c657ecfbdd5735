import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { auth, type SessionInfo, setCsrfToken } from './api';

// Who is signed in and what they may do. Role names follow the gateway's: agency-<level> for the
// host, advertiser-<level>-<accountId> for one account. The higher of the two levels wins, as on
// the server; the server still checks every call, this only hides controls that would fail.

export type Level = 'view' | 'manage' | 'admin';
const RANK: Record<Level, number> = { view: 1, manage: 2, admin: 3 };

export interface Session {
  user: SessionInfo['user'];
  hostLevel: Level | null;
  accountLevels: Map<string, Level>;
  /** The caller's level in an account: host level for managed accounts, or their own role. */
  levelIn(accountId: string, managed: boolean): Level | null;
  can(wanted: Level, accountId: string, managed: boolean): boolean;
}

export function parseSession(info: SessionInfo): Session {
  let hostLevel: Level | null = null;
  const accountLevels = new Map<string, Level>();
  for (const role of info.user.roles) {
    const host = /^agency-(view|manage|admin)$/.exec(role);
    if (host) hostLevel = higher(hostLevel, host[1] as Level);
    const account = /^advertiser-(view|manage|admin)-(.+)$/.exec(role);
    if (account?.[2]) {
      const level = account[1] as Level;
      accountLevels.set(account[2], higher(accountLevels.get(account[2]) ?? null, level) ?? level);
    }
  }
  const levelIn = (accountId: string, managed: boolean): Level | null =>
    higher(managed ? hostLevel : null, accountLevels.get(accountId) ?? null);
  return {
    user: info.user,
    hostLevel,
    accountLevels,
    levelIn,
    can: (wanted, accountId, managed) => {
      const level = levelIn(accountId, managed);
      return level !== null && RANK[level] >= RANK[wanted];
    },
  };
}

function higher(a: Level | null, b: Level | null): Level | null {
  // null means no role at all
  if (a === null) return b;
  if (b === null) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

interface SessionState {
  /** undefined while loading, null when signed out. */
  session: Session | null | undefined;
  error: string | null;
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionState>({ session: undefined, error: null, refresh: async () => {} });

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    // Signed-in browsers carry the readable capig_csrf cookie beside the HttpOnly session cookie.
    // Without it nobody is signed in, and asking would only log a 401 in the console.
    if (!/(^|;\s*)capig_csrf=/.test(document.cookie)) {
      setCsrfToken('');
      setSession(null);
      return;
    }
    try {
      const info = await auth.session();
      setCsrfToken(info?.csrfToken ?? '');
      setSession(info ? parseSession(info) : null);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
      setSession(null);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <SessionContext.Provider value={{ session, error, refresh }}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  return useContext(SessionContext);
}

/** The signed-in session; only for pages rendered behind the sign-in guard. */
export function useSession(): Session {
  const { session } = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
