import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db.js';

// One-time links (invitation and password reset). The token travels only in the link; the
// database keeps its SHA-256, so a leaked backup cannot be turned into working links.

export type LinkKind = 'invitation' | 'password_reset';

/** Both kinds are valid 24 hours (Meta's invitation dialog). */
export const LINK_TTL_HOURS = 24;

export interface LinkTarget {
  userId: string;
  email: string;
  tenantId: string | null;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function createAuthLinksRepo(db: Sql) {
  return {
    /** A fresh link; the user's older unused links of that kind stop working. */
    async issue(kind: LinkKind, userId: string, tenantId: string | null): Promise<string> {
      // 16 bytes: the 22-character url-safe token of Meta's samples.
      const token = randomBytes(16).toString('base64url');
      await db.query('UPDATE auth_links SET used_at = now() WHERE user_id = $1 AND kind = $2 AND used_at IS NULL', [
        userId,
        kind,
      ]);
      await db.query(
        `INSERT INTO auth_links (token_hash, kind, user_id, tenant_id, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))`,
        [hashToken(token), kind, userId, tenantId, LINK_TTL_HOURS],
      );
      return token;
    },

    /** Who a valid (unused, unexpired) link is for, without using it up. */
    async peek(kind: LinkKind, token: string): Promise<LinkTarget | null> {
      const [row] = await db.query<{ user_id: string; email: string; tenant_id: string | null }>(
        `SELECT l.user_id, u.email, l.tenant_id FROM auth_links l JOIN users u ON u.id = l.user_id
          WHERE l.token_hash = $1 AND l.kind = $2 AND l.used_at IS NULL AND l.expires_at > now()`,
        [hashToken(token), kind],
      );
      return row ? { userId: row.user_id, email: row.email, tenantId: row.tenant_id } : null;
    },

    /** Uses a link up; false when someone else used it first (or it expired meanwhile). */
    async consume(kind: LinkKind, token: string): Promise<boolean> {
      const rows = await db.query(
        `UPDATE auth_links SET used_at = now()
          WHERE token_hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
        [hashToken(token), kind],
      );
      return rows.length > 0;
    },
  };
}

export type AuthLinksRepo = ReturnType<typeof createAuthLinksRepo>;
