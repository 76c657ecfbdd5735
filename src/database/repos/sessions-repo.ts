import { randomBytes } from 'node:crypto';
import type { Level } from '../../control-plane/access.js';
import type { Sql } from '../db.js';
import { hashToken } from './auth-links-repo.js';

// Browser sessions and failed-login counters. The cookie carries a random id; the database keeps
// only its SHA-256, so reading the sessions table does not let anyone sign in.

export const SESSION_TTL_HOURS = 7 * 24;

export interface SessionUser {
  userId: string;
  email: string;
  csrfToken: string;
  roles: { tenantId: string; level: Level }[];
}

export function createSessionsRepo(db: Sql) {
  return {
    async create(userId: string): Promise<{ sessionId: string; csrfToken: string }> {
      const sessionId = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      // Expired rows are removed here rather than by a timer: logins are rare, the table small.
      await db.query('DELETE FROM sessions WHERE expires_at < now()');
      await db.query(
        `INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
        [hashToken(sessionId), userId, csrfToken, SESSION_TTL_HOURS],
      );
      return { sessionId, csrfToken };
    },

    /** The session's user, if the session is current and the user active and not expired (UTC day). */
    async user(sessionId: string): Promise<SessionUser | null> {
      const [row] = await db.query<{
        user_id: string;
        email: string;
        csrf_token: string;
        roles: SessionUser['roles'] | string;
      }>(
        `SELECT s.user_id, u.email, s.csrf_token,
                coalesce((SELECT json_agg(json_build_object('tenantId', r.tenant_id, 'level', r.action))
                            FROM user_roles r WHERE r.user_id = u.id), '[]'::json) AS roles
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id_hash = $1 AND s.expires_at > now() AND u.status = 1
            AND (u.expires_on IS NULL OR u.expires_on >= (now() AT TIME ZONE 'UTC')::date)`,
        [hashToken(sessionId)],
      );
      if (!row) return null;
      return {
        userId: row.user_id,
        email: row.email,
        csrfToken: row.csrf_token,
        roles: typeof row.roles === 'string' ? JSON.parse(row.roles) : row.roles,
      };
    },

    async delete(sessionId: string): Promise<void> {
      await db.query('DELETE FROM sessions WHERE id_hash = $1', [hashToken(sessionId)]);
    },

    /** A new password signs the user out everywhere. */
    async deleteForUser(userId: string): Promise<void> {
      await db.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
    },

    /**
     * Counts an attempt as a failure before it is checked, in one statement, and answers the
     * seconds `key` must wait (0: go ahead). Counting first is what makes the limit hold under
     * concurrency: of 200 simultaneous attempts only `maxFailures` get past, whatever their order.
     * A success takes its count back with `forgive`.
     */
    async attempt(key: string, maxFailures: number, windowSec: number): Promise<number> {
      const [row] = await db.query<{ failures: number; wait: number }>(
        `INSERT INTO login_failures AS f (key, failures, window_started_at) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN f.window_started_at > now() - make_interval(secs => $2) THEN f.failures + 1 ELSE 1 END,
           window_started_at = CASE WHEN f.window_started_at > now() - make_interval(secs => $2)
                                    THEN f.window_started_at ELSE now() END
         RETURNING failures,
                   ceil(extract(epoch FROM window_started_at + make_interval(secs => $2) - now()))::int AS wait`,
        [key, windowSec],
      );
      return row && row.failures > maxFailures ? Math.max(1, row.wait) : 0;
    },

    /** Takes back the count of an attempt that succeeded. */
    async forgive(key: string): Promise<void> {
      await db.query('UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = $1', [key]);
    },

    async clearFailures(key: string): Promise<void> {
      await db.query('DELETE FROM login_failures WHERE key = $1', [key]);
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
