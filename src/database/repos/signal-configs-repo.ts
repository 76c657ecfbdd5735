import type { Sql } from '../db.js';

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

const SCOPED = 'p.tenant_id = $1 AND p.tenant_id = ANY($2::text[])';
const scopeParams = (s: TenantScope) => [s.tenantId, [...s.visibleTenantIds]];

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

/**
 * Which account holds a pixel id, as seen from `scope`: 'this', 'other' or null (free). Pixel ids
 * are unique across the gateway (a browser event carries only the pixel id), so connecting one
 * needs this answer across accounts; it never says which other account it is.
 */
export async function pixelHolder(sql: Sql, scope: TenantScope, pixelId: string): Promise<'this' | 'other' | null> {
  const [row] = await sql.query<{ mine: boolean }>(
    `SELECT (p.tenant_id = $1 AND p.tenant_id = ANY($2::text[])) AS mine FROM pixels p WHERE p.pixel_id = $3`,
    [...scopeParams(scope), pixelId],
  );
  return row ? (row.mine ? 'this' : 'other') : null;
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
