import type { Sql } from '../db.js';
import { scopedTo, scopeParams, type TenantScope } from './signal-configs-repo.js';

// Signals Gateway data destinations: Meta's Conversions API (a pixel connection's, in the pixel's
// lane, or a gateway pipeline's own dataset and token) and custom HTTP endpoints. Secrets stay
// sealed here; scoped like every control-plane repo.

export type DataDestinationType =
  | 'META_CONVERSIONS_API'
  | 'CUSTOM_HTTP_API'
  | 'AUDIENCE_STORAGE'
  | 'GOOGLE_BIGQUERY_API'
  | 'UNKNOWN';

export interface DestinationRecord {
  id: string;
  tenantId: string;
  name: string;
  type: DataDestinationType;
  active: boolean;
  /** Set for a pixel connection's destination: its lane is the pixel id. */
  pixelId: string | null;
  datasetId: string | null;
  businessId: string | null;
  apiVersion: string | null;
  hasToken: boolean;
  /** The custom HTTP settings as stored (JSON, no secrets). */
  httpConfig: Record<string, unknown> | null;
  hasSecrets: boolean;
  badToken: boolean;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastErrorAt: Date | null;
}

/** Where a destination's events are queued, counted and dead-lettered (docs/pipelines.md). */
export function laneOf(d: Pick<DestinationRecord, 'id' | 'pixelId'>): string {
  return d.pixelId ?? d.id;
}

const SCOPED = scopedTo();
const D_SCOPED = scopedTo('d.');

interface DestinationRow {
  id: string;
  tenant_id: string;
  name: string;
  type: DataDestinationType;
  active: boolean;
  pixel_id: string | null;
  dataset_id: string | null;
  business_id: string | null;
  api_version: string | null;
  has_token: boolean;
  http_config: Record<string, unknown> | string | null;
  has_secrets: boolean;
  bad_token: boolean;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: Date | null;
}

/**
 * The account's destinations (all, or those of ids), oldest first. A pixel connection's
 * destination shows the pixel's token state and last error (the pixel's lane records them).
 */
export async function listDestinations(
  sql: Sql,
  scope: TenantScope,
  ids?: readonly string[],
): Promise<DestinationRecord[]> {
  const rows = await sql.query<DestinationRow>(
    `SELECT d.id, d.tenant_id, d.name, d.type, d.active, d.pixel_id, d.dataset_id,
            coalesce(d.business_id, px.business_id) AS business_id, coalesce(d.api_version, px.api_version) AS api_version,
            coalesce(d.access_token_enc, px.access_token_enc) IS NOT NULL AS has_token,
            d.http_config, d.http_secrets_enc IS NOT NULL AS has_secrets,
            d.bad_token OR coalesce(px.bad_token, false) AS bad_token,
            coalesce(d.last_error_code, px.last_error_code) AS last_error_code,
            coalesce(d.last_error_message, px.last_error_message) AS last_error_message,
            coalesce(d.last_error_at, px.last_error_at) AS last_error_at
       FROM data_destinations d LEFT JOIN pixels px ON px.pixel_id = d.pixel_id
      WHERE ${D_SCOPED} AND ($3::text[] IS NULL OR d.id = ANY($3::text[]))
      ORDER BY d.created_at, d.id`,
    [...scopeParams(scope), ids ? [...ids] : null],
  );
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    type: r.type,
    active: r.active,
    pixelId: r.pixel_id,
    datasetId: r.dataset_id,
    businessId: r.business_id,
    apiVersion: r.api_version,
    hasToken: r.has_token,
    httpConfig: typeof r.http_config === 'string' ? JSON.parse(r.http_config) : r.http_config,
    hasSecrets: r.has_secrets,
    badToken: r.bad_token,
    lastErrorCode: r.last_error_code,
    lastErrorMessage: r.last_error_message,
    lastErrorAt: r.last_error_at,
  }));
}

export async function findDestination(sql: Sql, scope: TenantScope, id: string): Promise<DestinationRecord | null> {
  return (await listDestinations(sql, scope, [id]))[0] ?? null;
}

export async function insertDestination(
  sql: Sql,
  d: { id: string; tenantId: string; name: string; type: DataDestinationType },
): Promise<void> {
  await sql.query('INSERT INTO data_destinations (id, tenant_id, name, type) VALUES ($1, $2, $3, $4)', [
    d.id,
    d.tenantId,
    d.name,
    d.type,
  ]);
}

/** Fields left null keep their value. False when the account has no such destination. */
export async function updateDestination(
  sql: Sql,
  scope: TenantScope,
  id: string,
  change: { name: string | null; type: DataDestinationType | null; active: boolean | null },
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE data_destinations SET name = coalesce($4, name), type = coalesce($5, type),
                                  active = coalesce($6, active), updated_at = now()
      WHERE ${SCOPED} AND id = $3 RETURNING id`,
    [...scopeParams(scope), id, change.name, change.type, change.active],
  );
  return rows.length === 1;
}

/** Removes a destination, its pipeline links and the events still queued in its lane. */
export async function deleteDestination(sql: Sql, scope: TenantScope, id: string): Promise<boolean> {
  const rows = await sql.query<{ id: string }>(
    `DELETE FROM data_destinations WHERE ${SCOPED} AND id = $3 RETURNING id`,
    [...scopeParams(scope), id],
  );
  if (rows.length === 0) return false;
  await sql.query('DELETE FROM event_queue WHERE tenant_id = $1 AND pixel_id = $2', [scope.tenantId, id]);
  return true;
}

/** A gateway pipeline's Meta destination: its dataset and sealed token (clears a bad-token hold). */
export async function setCapiConfig(
  sql: Sql,
  scope: TenantScope,
  id: string,
  c: { datasetId: string; businessId: string; apiVersion: string | null; accessTokenEnc: string; name?: string },
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE data_destinations SET dataset_id = $4, business_id = $5, api_version = $6, access_token_enc = $7,
                                  name = coalesce($8, name), bad_token = false, updated_at = now()
      WHERE ${SCOPED} AND id = $3 AND pixel_id IS NULL RETURNING id`,
    [...scopeParams(scope), id, c.datasetId, c.businessId, c.apiVersion, c.accessTokenEnc, c.name ?? null],
  );
  return rows.length === 1;
}

/** A custom HTTP destination's settings; secretsEnc undefined keeps the stored secrets. */
export async function setHttpConfig(
  sql: Sql,
  scope: TenantScope,
  id: string,
  config: Record<string, unknown>,
  secretsEnc: string | null | undefined,
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE data_destinations SET http_config = $4::jsonb,
            http_secrets_enc = CASE WHEN $5 THEN $6 ELSE http_secrets_enc END, bad_token = false, updated_at = now()
      WHERE ${SCOPED} AND id = $3 RETURNING id`,
    [...scopeParams(scope), id, JSON.stringify(config), secretsEnc !== undefined, secretsEnc ?? null],
  );
  return rows.length === 1;
}

/** The sealed secrets of a custom HTTP destination (for merging and for test events). */
export async function httpSecretsEnc(sql: Sql, scope: TenantScope, id: string): Promise<string | null> {
  const [row] = await sql.query<{ s: string | null }>(
    `SELECT http_secrets_enc AS s FROM data_destinations WHERE ${SCOPED} AND id = $3`,
    [...scopeParams(scope), id],
  );
  return row?.s ?? null;
}

export interface LaneCounts {
  queued: number;
  published: number;
  deadLettered: number;
}

/** Events waiting in a lane now, and those published and dead-lettered in it within the window. */
export async function laneCounts(sql: Sql, scope: TenantScope, lane: string, minutes: number): Promise<LaneCounts> {
  const [row] = await sql.query<{ q: number; pub: number; dl: number }>(
    `SELECT (SELECT count(*) FROM event_queue WHERE ${SCOPED} AND pixel_id = $3)::int8 AS q,
            coalesce(sum(count) FILTER (WHERE outcome = 'published'), 0)::int8 AS pub,
            coalesce(sum(count) FILTER (WHERE outcome = 'dead_lettered'), 0)::int8 AS dl
       FROM event_metrics
      WHERE ${SCOPED} AND pixel_id = $3 AND outcome IN ('published', 'dead_lettered')
        AND minute > date_trunc('minute', now()) - make_interval(mins => $4)`,
    [...scopeParams(scope), lane, minutes],
  );
  return { queued: Number(row?.q ?? 0), published: Number(row?.pub ?? 0), deadLettered: Number(row?.dl ?? 0) };
}

/**
 * Whether `id` names something of the account that has events of its own under that id besides
 * its pixels: a destination's lane (sg_v1_dd_…) or a Signals Gateway source (its drops).
 */
export async function isOwnLaneOrSource(sql: Sql, scope: TenantScope, id: string): Promise<boolean> {
  const rows = await sql.query(
    `SELECT 1 FROM data_destinations WHERE ${SCOPED} AND id = $3
     UNION ALL SELECT 1 FROM data_sources WHERE ${SCOPED} AND id = $3 LIMIT 1`,
    [...scopeParams(scope), id],
  );
  return rows.length > 0;
}
