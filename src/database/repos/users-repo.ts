import { randomUUID } from 'node:crypto';
import type { Level } from '../../control-plane/access.js';
import type { Sql } from '../db.js';

// People and their roles. user_roles.tenant_id '' is the host (agency) scope; any other value is an
// account. Every read takes the caller's Visibility and filters in SQL, so a user of account A
// never receives users or roles of account B, whatever a resolver forgets to check.

export const HOST_SCOPE = '';

/** What the caller may see: accounts by id, whether host-scope users and roles are visible. */
export interface Visibility {
  tenantIds: readonly string[];
  /** Host-scope (agency) users and roles: callers with any host role. */
  host: boolean;
  /** Users without any role: host admins only (they are the ones who can delete them). */
  roleless: boolean;
  /** The caller's own user id, always visible to itself. */
  selfId: string | null;
}

export const USER_ACTIVE = 1;
export const USER_DEACTIVATED = 0;
export const USER_PENDING = 2;

export interface RoleGrant {
  /** '' for the host scope. */
  tenantId: string;
  level: Level;
  tenantName: string | null;
}

export interface UserRecord {
  id: string;
  email: string;
  /** 0 deactivated, 1 activated, 2 pending. */
  status: number;
  /** yyyy-mm-dd, or null for permanent users. */
  userExpiry: string | null;
  defaultTenantId: string | null;
  /** Only the roles the caller may see. */
  roles: RoleGrant[];
  /** The only admin of some scope: cannot be deleted until someone else is admin there. */
  soleAdmin: boolean;
  /** Epoch ms of an unanswered "Forgot password" request, or null. */
  passwordResetRequestedAt: number | null;
}

interface Row {
  id: string;
  email: string;
  status: number;
  user_expiry: string | null;
  default_tenant_id: string | null;
  roles: RoleGrant[] | string;
  sole_admin: boolean;
  reset_requested_ms: number | string | null;
}

// $1 visible tenant ids, $2 host scope visible, $3 role-less users visible, $4 the caller's user id.
const SELECT_USERS = `
  SELECT u.id, u.email, u.status, to_char(u.expires_on, 'YYYY-MM-DD') AS user_expiry,
         CASE WHEN u.default_tenant_id = ANY($1::text[]) THEN u.default_tenant_id END AS default_tenant_id,
         coalesce((SELECT json_agg(json_build_object('tenantId', r.tenant_id, 'level', r.action, 'tenantName', t.name)
                                   ORDER BY r.tenant_id)
                     FROM user_roles r LEFT JOIN tenants t ON t.id = r.tenant_id
                    WHERE r.user_id = u.id
                      AND (r.tenant_id = ANY($1::text[]) OR (r.tenant_id = '' AND ($2::boolean OR u.id = $4::text)))),
                  '[]'::json) AS roles,
         EXISTS (SELECT 1 FROM user_roles r
                  WHERE r.user_id = u.id AND r.action = 'admin'
                    AND NOT EXISTS (SELECT 1 FROM user_roles o
                                     WHERE o.tenant_id = r.tenant_id AND o.action = 'admin' AND o.user_id <> u.id))
           AS sole_admin,
         (extract(epoch FROM u.password_reset_requested_at) * 1000)::float8 AS reset_requested_ms
    FROM users u
   WHERE (EXISTS (SELECT 1 FROM user_roles r
                   WHERE r.user_id = u.id AND (r.tenant_id = ANY($1::text[]) OR (r.tenant_id = '' AND $2::boolean)))
          OR ($3::boolean AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id))
          OR u.id = $4::text)`;

const visibilityParams = (v: Visibility) => [v.tenantIds, v.host, v.roleless, v.selfId];

const toUser = (r: Row): UserRecord => ({
  id: r.id,
  email: r.email,
  status: Number(r.status),
  userExpiry: r.user_expiry,
  defaultTenantId: r.default_tenant_id,
  roles: typeof r.roles === 'string' ? JSON.parse(r.roles) : r.roles,
  soleAdmin: r.sole_admin,
  passwordResetRequestedAt: r.reset_requested_ms === null ? null : Number(r.reset_requested_ms),
});

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailProblem(email: unknown): string | null {
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
    return 'a valid email address is required, like name@example.com';
  }
  return email.trim().length > 254 ? 'the email address is longer than 254 characters' : null;
}

export function createUsersRepo(db: Sql) {
  return {
    async get(v: Visibility, userId: string): Promise<UserRecord | null> {
      const [row] = await db.query<Row>(`${SELECT_USERS} AND u.id = $5`, [...visibilityParams(v), userId]);
      return row ? toUser(row) : null;
    },

    /** Users of one account, or every user the caller may see when tenantId is null. */
    async list(v: Visibility, tenantId: string | null): Promise<UserRecord[]> {
      const rows = await db.query<Row>(
        `${SELECT_USERS}
           AND ($5::text IS NULL OR (EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.tenant_id = $5)
                                     AND $5 = ANY($1::text[])))
         ORDER BY u.email`,
        [...visibilityParams(v), tenantId],
      );
      return rows.map(toUser);
    },

    /** The users with a role in any of `tenantIds` (visible ones only), for batching Tenant.users. */
    async listInTenants(v: Visibility, tenantIds: readonly string[]): Promise<UserRecord[]> {
      const rows = await db.query<Row>(
        `${SELECT_USERS}
           AND EXISTS (SELECT 1 FROM user_roles r
                        WHERE r.user_id = u.id AND r.tenant_id = ANY($5::text[]) AND r.tenant_id = ANY($1::text[]))
         ORDER BY u.email`,
        [...visibilityParams(v), [...tenantIds]],
      );
      return rows.map(toUser);
    },

    async getByEmail(v: Visibility, email: string): Promise<UserRecord | null> {
      const [row] = await db.query<Row>(`${SELECT_USERS} AND u.email = $5`, [
        ...visibilityParams(v),
        normalizeEmail(email),
      ]);
      return row ? toUser(row) : null;
    },

    /** Whether an email is taken at all (unscoped: adding a user must not create a duplicate). */
    async idByEmail(email: string): Promise<{ id: string; status: number } | null> {
      const [row] = await db.query<{ id: string; status: number }>('SELECT id, status FROM users WHERE email = $1', [
        normalizeEmail(email),
      ]);
      return row ? { id: row.id, status: Number(row.status) } : null;
    },

    /** Every role of a user, unfiltered: only for permission decisions, never returned to a caller. */
    async scopesOf(userId: string): Promise<{ tenantId: string; level: Level }[]> {
      return db.query<{ tenantId: string; level: Level }>(
        'SELECT tenant_id AS "tenantId", action AS level FROM user_roles WHERE user_id = $1 ORDER BY tenant_id',
        [userId],
      );
    },

    async create(u: {
      email: string;
      status: number;
      passwordHash?: string | null;
      userExpiry?: string | null;
    }): Promise<string> {
      const id = randomUUID();
      await db.query(
        'INSERT INTO users (id, email, status, password_hash, expires_on) VALUES ($1, $2, $3, $4, $5::date)',
        [id, normalizeEmail(u.email), u.status, u.passwordHash ?? null, u.userExpiry ?? null],
      );
      return id;
    },

    /** One role per scope: a new role in a scope replaces the old one. */
    async grant(userId: string, tenantId: string, level: Level): Promise<void> {
      await db.query(
        `INSERT INTO user_roles (user_id, tenant_id, action) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, tenant_id) DO UPDATE SET action = excluded.action`,
        [userId, tenantId, level],
      );
      if (tenantId !== HOST_SCOPE) {
        await db.query('UPDATE users SET default_tenant_id = $2 WHERE id = $1 AND default_tenant_id IS NULL', [
          userId,
          tenantId,
        ]);
      }
    },

    async revoke(userId: string, tenantId: string): Promise<boolean> {
      const rows = await db.query('DELETE FROM user_roles WHERE user_id = $1 AND tenant_id = $2 RETURNING user_id', [
        userId,
        tenantId,
      ]);
      await db.query('UPDATE users SET default_tenant_id = NULL WHERE id = $1 AND default_tenant_id = $2', [
        userId,
        tenantId,
      ]);
      // An invitation nobody holds any more: the address is free again, for anyone to invite afresh.
      await db.query(
        `DELETE FROM users u WHERE u.id = $1 AND u.status = ${USER_PENDING}
            AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id)`,
        [userId],
      );
      return rows.length > 0;
    },

    /**
     * The admins of a scope, locked until the transaction ends: two concurrent demotions of the
     * last two admins then see each other's change, and the second is refused.
     */
    async lockAdmins(tenantId: string): Promise<string[]> {
      const rows = await db.query<{ user_id: string }>(
        `SELECT user_id FROM user_roles WHERE tenant_id = $1 AND action = 'admin' ORDER BY user_id FOR UPDATE`,
        [tenantId],
      );
      return rows.map((r) => r.user_id);
    },

    async delete(userId: string): Promise<boolean> {
      return (await db.query('DELETE FROM users WHERE id = $1 RETURNING id', [userId])).length > 0;
    },

    async setExpiry(userId: string, userExpiry: string | null): Promise<void> {
      await db.query('UPDATE users SET expires_on = $2::date, updated_at = now() WHERE id = $1', [userId, userExpiry]);
    },

    /** Signup activates a pending user; a reset keeps the status (a deactivated user stays so). */
    async setPassword(userId: string, passwordHash: string, opts: { activate: boolean }): Promise<void> {
      await db.query(
        `UPDATE users SET password_hash = $2, status = CASE WHEN $3 THEN ${USER_ACTIVE} ELSE status END,
                          password_reset_requested_at = NULL, updated_at = now()
          WHERE id = $1`,
        [userId, passwordHash, opts.activate],
      );
    },

    /**
     * Marks an active user's "Forgot password" request. Returns the user when this is a new request
     * (none in the last `quietMin` minutes), null otherwise, so one address cannot be flooded.
     */
    async requestPasswordReset(email: string, quietMin: number): Promise<{ id: string; email: string } | null> {
      const [row] = await db.query<{ id: string; email: string }>(
        `UPDATE users SET password_reset_requested_at = now()
          WHERE email = $1 AND status = ${USER_ACTIVE}
            AND (password_reset_requested_at IS NULL
                 OR password_reset_requested_at < now() - make_interval(mins => $2))
          RETURNING id, email`,
        [normalizeEmail(email), quietMin],
      );
      return row ?? null;
    },

    /** The request is answered once an admin made a reset link. */
    async clearPasswordResetRequest(userId: string): Promise<void> {
      await db.query('UPDATE users SET password_reset_requested_at = NULL WHERE id = $1', [userId]);
    },

    async count(): Promise<number> {
      const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      return row?.n ?? 0;
    },

    /** What login needs; `expired` is decided by the database clock, in UTC. */
    async credentials(email: string): Promise<{
      id: string;
      status: number;
      passwordHash: string | null;
      expired: boolean;
      expiry: string | null;
    } | null> {
      const [row] = await db.query<{
        id: string;
        status: number;
        password_hash: string | null;
        expired: boolean;
        expiry: string | null;
      }>(
        `SELECT id, status, password_hash, to_char(expires_on, 'YYYY-MM-DD') AS expiry,
                coalesce(expires_on < (now() AT TIME ZONE 'UTC')::date, false) AS expired
           FROM users WHERE email = $1`,
        [normalizeEmail(email)],
      );
      if (!row) return null;
      return {
        id: row.id,
        status: Number(row.status),
        passwordHash: row.password_hash,
        expired: row.expired,
        expiry: row.expiry,
      };
    },

    async passwordHash(userId: string): Promise<string | null> {
      const [row] = await db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1', [
        userId,
      ]);
      return row?.password_hash ?? null;
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
