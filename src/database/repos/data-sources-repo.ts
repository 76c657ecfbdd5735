import type { Sql } from '../db.js';
import { scopedTo, scopeParams, type TenantScope } from './signal-configs-repo.js';

// Signals Gateway data sources: a pixel connection's META_PIXEL source (its id is the pixel id),
// our first-party tag (ADVERTISER_HOSTED_PIXEL), server SDKs and file uploads. Scoped like every
// control-plane repo: the account AND the caller's visible accounts, in SQL.

export type DataSourceType =
  | 'META_PIXEL'
  | 'ADVERTISER_HOSTED_PIXEL'
  | 'FILE_UPLOAD'
  | 'ADVERTISER_HOSTED_SDK'
  | 'UNKNOWN';

export interface SourceRecord {
  id: string;
  tenantId: string;
  name: string;
  type: DataSourceType;
  active: boolean;
  pixelId: string | null;
  /** Sealed: the source's own key, or a META_PIXEL source's pixel key. */
  accessKeyEnc: string | null;
  /** A Signals Gateway pixel's settings (GatewayPixelConfigurationInput's fields). */
  pixelConfig: Record<string, unknown>;
}

const S_SCOPED = scopedTo('s.');
const SCOPED = scopedTo();

interface SourceRow {
  id: string;
  tenant_id: string;
  name: string;
  type: DataSourceType;
  active: boolean;
  pixel_id: string | null;
  key: string | null;
  pixel_config: Record<string, unknown> | string;
}

/** The account's sources (all, or those of ids), oldest first. */
export async function listSources(sql: Sql, scope: TenantScope, ids?: readonly string[]): Promise<SourceRecord[]> {
  const rows = await sql.query<SourceRow>(
    `SELECT s.id, s.tenant_id, s.name, s.type, s.active, s.pixel_id,
            coalesce(s.access_key_enc, px.access_key_enc) AS key, s.pixel_config
       FROM data_sources s LEFT JOIN pixels px ON px.pixel_id = s.pixel_id
      WHERE ${S_SCOPED} AND ($3::text[] IS NULL OR s.id = ANY($3::text[]))
      ORDER BY s.created_at, s.id`,
    [...scopeParams(scope), ids ? [...ids] : null],
  );
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    type: r.type,
    active: r.active,
    pixelId: r.pixel_id,
    accessKeyEnc: r.key,
    pixelConfig: typeof r.pixel_config === 'string' ? JSON.parse(r.pixel_config) : r.pixel_config,
  }));
}

export async function findSource(sql: Sql, scope: TenantScope, id: string): Promise<SourceRecord | null> {
  return (await listSources(sql, scope, [id]))[0] ?? null;
}

/**
 * Whether an id is taken as a source or a pixel, as seen from `scope`: 'this', 'other' or null.
 * Both name what an event is sent to, so they share one space across the gateway.
 */
export async function sourceIdHolder(sql: Sql, scope: TenantScope, id: string): Promise<'this' | 'other' | null> {
  const [row] = await sql.query<{ mine: boolean }>(
    `SELECT (tenant_id = $1 AND tenant_id = ANY($2::text[])) AS mine
       FROM (SELECT tenant_id FROM data_sources WHERE id = $3
             UNION ALL SELECT tenant_id FROM pixels WHERE pixel_id = $3) x
      LIMIT 1`,
    [...scopeParams(scope), id],
  );
  return row ? (row.mine ? 'this' : 'other') : null;
}

export async function insertSource(
  sql: Sql,
  s: { id: string; tenantId: string; name: string; type: DataSourceType; accessKeyEnc: string },
): Promise<void> {
  await sql.query('INSERT INTO data_sources (id, tenant_id, name, type, access_key_enc) VALUES ($1, $2, $3, $4, $5)', [
    s.id,
    s.tenantId,
    s.name,
    s.type,
    s.accessKeyEnc,
  ]);
}

/** Fields left null keep their value. False when the account has no such source. */
export async function updateSource(
  sql: Sql,
  scope: TenantScope,
  id: string,
  change: { name: string | null; type: DataSourceType | null; active: boolean | null },
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE data_sources SET name = coalesce($4, name), type = coalesce($5, type), active = coalesce($6, active),
                             updated_at = now()
      WHERE ${SCOPED} AND id = $3 RETURNING id`,
    [...scopeParams(scope), id, change.name, change.type, change.active],
  );
  return rows.length === 1;
}

/** Removes a source (its pipeline links go with it). */
export async function deleteSource(sql: Sql, scope: TenantScope, id: string): Promise<boolean> {
  const rows = await sql.query(`DELETE FROM data_sources WHERE ${SCOPED} AND id = $3 RETURNING id`, [
    ...scopeParams(scope),
    id,
  ]);
  return rows.length === 1;
}

/** Replaces a Signals Gateway pixel's settings; null when the account has no such source. */
export async function setPixelConfig(
  sql: Sql,
  scope: TenantScope,
  id: string,
  config: Record<string, unknown>,
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE data_sources SET pixel_config = $4::jsonb, updated_at = now() WHERE ${SCOPED} AND id = $3 RETURNING id`,
    [...scopeParams(scope), id, JSON.stringify(config)],
  );
  return rows.length === 1;
}
