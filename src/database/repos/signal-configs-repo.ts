import type { SecretBox } from '../../platform/secret-box.js';
import type { Db, Sql } from '../db.js';
import { createAccountsRepo, type NewPixel } from './accounts-repo.js';

// The control plane's reads and scoped writes of pixels (Meta: signal configs). Every statement
// takes the account AND the accounts the caller may see, and filters on both in SQL, so a pixel of
// another account is never read or changed even if a resolver forgot its check.

export interface TenantScope {
  tenantId: string;
  /** TenantAccess.visibleTenantIds of the caller. */
  visibleTenantIds: readonly string[];
}

export interface PixelRecord {
  pixelId: string;
  tenantId: string;
  name: string;
  businessId: string | null;
  apiVersion: string | null;
  hasToken: boolean;
  tokenVerified: boolean;
  receiving: boolean;
  publishing: boolean;
  /** Sealed with the secret box; opened only for callers allowed to see it. */
  accessKeyEnc: string;
  badToken: boolean;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  openbridgeId: string | null;
}

interface PixelRow {
  pixel_id: string;
  tenant_id: string;
  name: string;
  business_id: string | null;
  api_version: string | null;
  has_token: boolean;
  token_verified: boolean;
  receiving_enabled: boolean;
  publishing_enabled: boolean;
  access_key_enc: string;
  bad_token: boolean;
  last_error_code: string | null;
  last_error_message: string | null;
  openbridge_id: string | null;
}

/** The account's rows as the caller may see them: $1 is the account, $2 the visible accounts. */
export const scopedTo = (alias = ''): string => `${alias}tenant_id = $1 AND ${alias}tenant_id = ANY($2::text[])`;
/** $1 and $2 of scopedTo. */
export const scopeParams = (s: TenantScope): unknown[] => [s.tenantId, [...s.visibleTenantIds]];
const SCOPED = scopedTo('p.');

/** The account's pixels (all, or those of pixelIds that belong to it), oldest first. */
export async function listPixels(sql: Sql, scope: TenantScope, pixelIds?: readonly string[]): Promise<PixelRecord[]> {
  const rows = await sql.query<PixelRow>(
    `SELECT p.pixel_id, p.tenant_id, p.name, p.business_id, p.api_version,
            p.access_token_enc IS NOT NULL AS has_token, p.token_verified, p.receiving_enabled,
            p.publishing_enabled, p.access_key_enc, p.bad_token, p.last_error_code, p.last_error_message,
            p.openbridge_id
       FROM pixels p
      WHERE ${SCOPED} AND ($3::text[] IS NULL OR p.pixel_id = ANY($3::text[]))
      ORDER BY p.created_at, p.pixel_id`,
    [...scopeParams(scope), pixelIds ? [...pixelIds] : null],
  );
  return rows.map((r) => ({
    pixelId: r.pixel_id,
    tenantId: r.tenant_id,
    name: r.name,
    businessId: r.business_id,
    apiVersion: r.api_version,
    hasToken: r.has_token,
    tokenVerified: r.token_verified,
    receiving: r.receiving_enabled,
    publishing: r.publishing_enabled,
    accessKeyEnc: r.access_key_enc,
    badToken: r.bad_token,
    lastErrorCode: r.last_error_code,
    lastErrorMessage: r.last_error_message,
    openbridgeId: r.openbridge_id,
  }));
}

export async function findPixel(sql: Sql, scope: TenantScope, pixelId: string): Promise<PixelRecord | null> {
  return (await listPixels(sql, scope, [pixelId]))[0] ?? null;
}

export async function setOpenBridgeId(sql: Sql, scope: TenantScope, pixelId: string, id: string): Promise<void> {
  await sql.query(`UPDATE pixels p SET openbridge_id = $4, updated_at = now() WHERE ${SCOPED} AND p.pixel_id = $3`, [
    ...scopeParams(scope),
    pixelId,
    id,
  ]);
}

/** The outcome of checking a new token with Meta, and the API version that check settled on. */
export async function setTokenCheck(
  sql: Sql,
  scope: TenantScope,
  pixelId: string,
  check: { verified: boolean; apiVersion: string | null },
): Promise<void> {
  await sql.query(
    `UPDATE pixels p SET token_verified = $4, api_version = $5, updated_at = now() WHERE ${SCOPED} AND p.pixel_id = $3`,
    [...scopeParams(scope), pixelId, check.verified, check.apiVersion],
  );
}

/** The ids of `pixelIds` that are not pixels of the account (a request may not name them). */
export async function foreignPixelIds(sql: Sql, scope: TenantScope, pixelIds: readonly string[]): Promise<string[]> {
  const own = new Set((await listPixels(sql, scope, pixelIds)).map((p) => p.pixelId));
  return pixelIds.filter((id) => !own.has(id));
}

/**
 * Removes a pixel with its own filters, queued events and running totals (the per-minute metrics
 * of the account stay: they are history). Run it in a transaction. Returns how many queued events
 * went with it, or null when the account has no such pixel.
 */
export async function deletePixel(tx: Sql, scope: TenantScope, pixelId: string): Promise<{ queued: number } | null> {
  const [gone] = await tx.query<{ pixel_id: string }>(
    `DELETE FROM pixels p WHERE ${SCOPED} AND p.pixel_id = $3 RETURNING p.pixel_id`,
    [...scopeParams(scope), pixelId],
  );
  if (!gone) return null;
  const params = [scope.tenantId, pixelId];
  await tx.query('DELETE FROM event_filters WHERE tenant_id = $1 AND pixel_id = $2', params);
  await tx.query('DELETE FROM domain_filters WHERE tenant_id = $1 AND pixel_id = $2', params);
  const [queued] = await tx.query<{ n: number }>(
    `WITH gone AS (DELETE FROM event_queue WHERE tenant_id = $1 AND pixel_id = $2 RETURNING 1)
     SELECT count(*)::int8 AS n FROM gone`,
    params,
  );
  await tx.query('DELETE FROM pixel_totals WHERE pixel_id = $1', [pixelId]);
  return { queued: queued?.n ?? 0 };
}

/** The account's name and Meta status code, or null when the caller cannot see it. */
export async function accountSummary(sql: Sql, scope: TenantScope): Promise<{ name: string; status: number } | null> {
  const [row] = await sql.query<{ name: string; status: number }>(
    'SELECT name, status FROM tenants WHERE id = $1 AND id = ANY($2::text[])',
    scopeParams(scope),
  );
  return row ?? null;
}

/**
 * A pixel connection as a Meta CAPI pipeline (docs/pipelines.md): the pipeline, the pixel as its
 * META_PIXEL source, a META_CONVERSIONS_API destination in the pixel's lane (dataset = the pixel)
 * and the two links, as migration 0005 made them for the pixels it found. Run it in the
 * transaction that inserts the pixel.
 */
export async function insertPixelPipeline(
  tx: Sql,
  p: { tenantId: string; pixelId: string; sourceName: string; pipelineName?: string | null },
): Promise<{ pipelineId: string; destinationId: string }> {
  // No ON CONFLICT: the pixel row was just inserted, so its pipeline cannot exist yet, and an id
  // that is already a Signals Gateway source (of any account) must fail here (23505), never be
  // linked to this pixel's pipeline.
  const [row] = await tx.query<{ pl: string; dd: string }>(
    `WITH pl AS (
       INSERT INTO pipelines (id, tenant_id, name, type, pixel_id)
       VALUES ('sg_v1_pl_' || gen_random_uuid(), $1, coalesce(nullif($4, ''), 'Conversions API Gateway (' || $2 || ')'),
               'META_CAPI_PIPELINE', $2)
       RETURNING id),
     src AS (
       INSERT INTO data_sources (id, tenant_id, name, type, pixel_id)
       VALUES ($2, $1, coalesce(nullif($3, ''), 'Meta Pixel (' || $2 || ')'), 'META_PIXEL', $2)
       RETURNING id),
     dd AS (
       INSERT INTO data_destinations (id, tenant_id, name, type, pixel_id, dataset_id)
       VALUES ('sg_v1_dd_' || gen_random_uuid(), $1, 'Meta Dataset (' || $2 || ')', 'META_CONVERSIONS_API', $2, $2)
       RETURNING id)
     SELECT (SELECT id FROM pl) AS pl, (SELECT id FROM dd) AS dd`,
    [p.tenantId, p.pixelId, p.sourceName, p.pipelineName ?? null],
  );
  const ids = { pipelineId: row?.pl as string, destinationId: row?.dd as string };
  await tx.query('INSERT INTO pipeline_sources (pipeline_id, source_id) VALUES ($1, $2)', [ids.pipelineId, p.pixelId]);
  await tx.query('INSERT INTO pipeline_destinations (pipeline_id, destination_id) VALUES ($1, $2)', [
    ids.pipelineId,
    ids.destinationId,
  ]);
  return ids;
}

/**
 * Connects a pixel with its Meta CAPI pipeline in one transaction (setupPixelSignalConfig and
 * createConversionApiGatewayPipeline). Returns the pixel's server-events key and the new ids.
 */
export async function connectPixel(
  db: Db,
  box: SecretBox,
  p: NewPixel & { pipelineName?: string | null },
): Promise<{ accessKey: string; pipelineId: string; destinationId: string }> {
  return db.transaction(async (tx) => {
    const { accessKey } = await createAccountsRepo(tx, box).addPixel(p);
    const ids = await insertPixelPipeline(tx, {
      tenantId: p.tenantId,
      pixelId: p.pixelId,
      sourceName: p.name ?? '',
      pipelineName: p.pipelineName,
    });
    return { accessKey, ...ids };
  });
}
