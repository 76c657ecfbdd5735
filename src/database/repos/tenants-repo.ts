import { randomInt } from 'node:crypto';
import type { Sql } from '../db.js';

// Accounts as the control plane reads and changes them. Every function takes the ids the caller
// may see and filters with `id = ANY(...)` in SQL: an account outside that list does not exist for
// the caller (null / false), so no resolver can hand out another account's data by mistake.

export interface TenantRecord {
  id: string;
  name: string;
  /** 0 active, 1 setup in progress, 2 deactivated. */
  status: number;
  managed: boolean;
  eventEnrichment: boolean;
}

export interface TenantUsageRecord {
  totalPixels: number;
  totalActivePixels: number;
  totalInactivePixels: number;
  pixelIds: string[];
  totalEventsReceived: number;
  totalPixelsWithTraffic: number;
  publishError: boolean;
}

/** Meta's changelog v1.8.0: usage covers the last 24 hours. */
export const USAGE_WINDOW_HOURS = 24;

interface Row {
  id: string;
  name: string;
  status: number;
  managed: boolean;
  event_enrichment: boolean;
}

const COLUMNS = 'id, name, status, managed, event_enrichment';

const toTenant = (r: Row): TenantRecord => ({
  id: r.id,
  name: r.name,
  status: Number(r.status),
  managed: r.managed,
  eventEnrichment: r.event_enrichment,
});

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 8 random letters and digits, like every account id in Meta's samples ("IaoreXfj"). */
export function newTenantId(): string {
  let id = '';
  for (let i = 0; i < 8; i++) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}

export function createTenantsRepo(db: Sql) {
  return {
    async get(visible: readonly string[], tenantId: string): Promise<TenantRecord | null> {
      const [row] = await db.query<Row>(`SELECT ${COLUMNS} FROM tenants WHERE id = $1 AND id = ANY($2::text[])`, [
        tenantId,
        visible,
      ]);
      return row ? toTenant(row) : null;
    },

    async list(visible: readonly string[]): Promise<TenantRecord[]> {
      const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM tenants WHERE id = ANY($1::text[]) ORDER BY name, id`, [
        visible,
      ]);
      return rows.map(toTenant);
    },

    /** Every account, for host admins' Manage accounts list (fields they may read are decided per field). */
    async listAll(): Promise<TenantRecord[]> {
      const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM tenants ORDER BY name, id`);
      return rows.map(toTenant);
    },

    /** Unscoped existence check, for choosing a fresh id and telling 404 from a taken id. */
    async exists(tenantId: string): Promise<boolean> {
      return (await db.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId])).length > 0;
    },

    async update(
      visible: readonly string[],
      tenantId: string,
      patch: { name?: string | null; status?: number | null; managed?: boolean | null },
    ): Promise<TenantRecord | null> {
      const [row] = await db.query<Row>(
        `UPDATE tenants SET name = coalesce($3, name), status = coalesce($4::int2, status),
                            managed = coalesce($5, managed), updated_at = now()
          WHERE id = $1 AND id = ANY($2::text[])
          RETURNING ${COLUMNS}`,
        [tenantId, visible, patch.name ?? null, patch.status ?? null, patch.managed ?? null],
      );
      return row ? toTenant(row) : null;
    },

    /** Status 1 (setup in progress) becomes 0 when the account's invited admin signs up. */
    async activateWhereAdmin(userId: string): Promise<void> {
      await db.query(
        `UPDATE tenants SET status = 0, updated_at = now()
          WHERE status = 1 AND id IN (SELECT tenant_id FROM user_roles WHERE user_id = $1 AND action = 'admin')`,
        [userId],
      );
    },

    /**
     * Removes an account and everything in it: pixels, filters, routing (by cascade), queued and
     * dead-lettered events, counts, roles; then the users who are left without any role. Run it
     * in a transaction. Returns the removed pixel ids, or null when the account is not visible.
     */
    async delete(visible: readonly string[], tenantId: string): Promise<{ pixelIds: string[] } | null> {
      const members = await db.query<{ user_id: string }>(
        'SELECT user_id FROM user_roles WHERE tenant_id = $1 AND $1 = ANY($2::text[])',
        [tenantId, visible],
      );
      const pixels = await db.query<{ pixel_id: string }>(
        'DELETE FROM pixels WHERE tenant_id = $1 AND $1 = ANY($2::text[]) RETURNING pixel_id',
        [tenantId, visible],
      );
      const deleted = await db.query('DELETE FROM tenants WHERE id = $1 AND id = ANY($2::text[]) RETURNING id', [
        tenantId,
        visible,
      ]);
      if (deleted.length === 0) return null;
      const pixelIds = pixels.map((p) => p.pixel_id);
      await db.query('DELETE FROM event_queue WHERE tenant_id = $1', [tenantId]);
      await db.query('DELETE FROM dead_letters WHERE tenant_id = $1', [tenantId]);
      await db.query('DELETE FROM event_metrics WHERE tenant_id = $1', [tenantId]);
      await db.query('DELETE FROM pixel_totals WHERE pixel_id = ANY($1::text[])', [pixelIds]);
      await db.query('DELETE FROM dedup_keys WHERE pixel_id = ANY($1::text[])', [pixelIds]);
      await db.query('DELETE FROM user_roles WHERE tenant_id = $1', [tenantId]);
      await db.query('UPDATE users SET default_tenant_id = NULL WHERE default_tenant_id = $1', [tenantId]);
      await db.query(
        `DELETE FROM users u WHERE u.id = ANY($1::text[])
            AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id)`,
        [members.map((m) => m.user_id)],
      );
      return { pixelIds };
    },

    /**
     * Pixel counts and the last 24 hours of traffic. `visible` null means "any account": host
     * admins read usage of every account for billing (Meta's partial integration), see hub README.
     */
    async usage(visible: readonly string[] | null, tenantId: string): Promise<TenantUsageRecord | null> {
      const [row] = await db.query<{
        found: boolean;
        total: number;
        active: number;
        pixel_ids: string[];
        received: number;
        with_traffic: number;
        publish_error: boolean;
      }>(
        `WITH t AS (SELECT id, status FROM tenants WHERE id = $1 AND ($2::text[] IS NULL OR id = ANY($2::text[]))),
              px AS (SELECT p.pixel_id, p.receiving_enabled AND t.status <> 2 AS active, p.bad_token, p.last_error_at
                       FROM pixels p JOIN t ON p.tenant_id = t.id),
              traffic AS (SELECT m.pixel_id, sum(m.count) AS received
                            FROM event_metrics m JOIN t ON m.tenant_id = t.id
                           WHERE m.outcome = 'received'
                             AND m.minute > date_trunc('minute', now()) - make_interval(hours => $3)
                           GROUP BY m.pixel_id)
         SELECT EXISTS (SELECT 1 FROM t) AS found,
                (SELECT count(*) FROM px)::int AS total,
                (SELECT count(*) FROM px WHERE active)::int AS active,
                (SELECT coalesce(array_agg(pixel_id ORDER BY pixel_id), '{}') FROM px) AS pixel_ids,
                (SELECT coalesce(sum(received), 0) FROM traffic)::int8 AS received,
                (SELECT count(*) FROM traffic WHERE received > 0)::int AS with_traffic,
                EXISTS (SELECT 1 FROM px WHERE bad_token OR last_error_at > now() - make_interval(hours => $3))
                  AS publish_error`,
        [tenantId, visible, USAGE_WINDOW_HOURS],
      );
      if (!row?.found) return null;
      return {
        totalPixels: row.total,
        totalActivePixels: row.active,
        totalInactivePixels: row.total - row.active,
        pixelIds: row.pixel_ids,
        totalEventsReceived: Number(row.received),
        totalPixelsWithTraffic: row.with_traffic,
        publishError: row.publish_error,
      };
    },
  };
}

export type TenantsRepo = ReturnType<typeof createTenantsRepo>;
