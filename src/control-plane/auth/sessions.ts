import type { Sql } from '../../database/db.js';
import { createSessionsRepo, SESSION_TTL_HOURS } from '../../database/repos/sessions-repo.js';
import { HOST_SCOPE } from '../../database/repos/users-repo.js';
import type { Level, Principal } from '../access.js';
import { SESSION_COOKIE, type SessionLookup } from './authenticator.js';
import type { StartedSession } from './outcome.js';

// Cookie sessions for people. `capig_session` is HttpOnly (scripts never see it); `capig_csrf` is
// readable on purpose: the UI echoes it in x-csrf-token, which a cross-site form cannot do.

export const CSRF_COOKIE = 'capig_csrf';
const MAX_AGE_SEC = SESSION_TTL_HOURS * 3600;

export interface Sessions extends SessionLookup {
  start(userId: string): Promise<StartedSession>;
  end(sessionId: string): Promise<void>;
}

export function createSessions(db: Sql): Sessions {
  const repo = createSessionsRepo(db);
  return {
    async principal(sessionId) {
      if (sessionId.length > 200) return null;
      const user = await repo.user(sessionId);
      if (!user) return null;
      let hostLevel: Level | null = null;
      const tenantLevels = new Map<string, Level>();
      for (const r of user.roles) {
        if (r.tenantId === HOST_SCOPE) hostLevel = r.level;
        else tenantLevels.set(r.tenantId, r.level);
      }
      return {
        kind: 'user',
        userId: user.userId,
        email: user.email,
        hostLevel,
        tenantLevels,
        csrfToken: user.csrfToken,
      } satisfies Principal;
    },
    start: (userId) => repo.create(userId),
    end: (sessionId) => repo.delete(sessionId),
  };
}

/** Set-Cookie values for a new session; Secure when the gateway is reached over TLS. */
export function sessionCookies(session: StartedSession, secure: boolean): string[] {
  const common = `Path=/; SameSite=Lax; Max-Age=${MAX_AGE_SEC}${secure ? '; Secure' : ''}`;
  return [
    `${SESSION_COOKIE}=${session.sessionId}; ${common}; HttpOnly`,
    `${CSRF_COOKIE}=${session.csrfToken}; ${common}`,
  ];
}

export function clearedCookies(secure: boolean): string[] {
  const common = `Path=/; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
  return [`${SESSION_COOKIE}=; ${common}; HttpOnly`, `${CSRF_COOKIE}=; ${common}`];
}
