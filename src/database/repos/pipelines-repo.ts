import type { Sql } from '../db.js';
import { scopedTo, scopeParams, type TenantScope } from './signal-configs-repo.js';

// Signals Gateway pipelines (docs/pipelines.md): an account's pipelines with their sources,
// destinations and filters. Every statement takes the account AND the accounts the caller may see
// and filters on both in SQL, as signal-configs-repo.ts does.

export type PipelineType = 'META_CAPI_PIPELINE' | 'GATEWAY_PIPELINE';

export interface PipelineRecord {
  id: string;
  tenantId: string;
  name: string;
  type: PipelineType;
  active: boolean;
  /** The pixel connection a META_CAPI_PIPELINE stands for. */
  pixelId: string | null;
  /** null: never set. */
  filterStatus: boolean | null;
  blockedEventTypes: string[];
}

export interface SourceLink {
  pipelineId: string;
  sourceId: string;
}

export interface DestinationLink {
  pipelineId: string;
  destinationId: string;
  filterStatus: boolean | null;
  blockedEventTypes: string[];
}

const SCOPED = scopedTo();
const P_SCOPED = scopedTo('p.');

interface PipelineRow {
  id: string;
  tenant_id: string;
  name: string;
  type: PipelineType;
  active: boolean;
  pixel_id: string | null;
  filter_status: boolean | null;
  blocked_event_types: string[];
}

const toPipeline = (r: PipelineRow): PipelineRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  type: r.type,
  active: r.active,
  pixelId: r.pixel_id,
  filterStatus: r.filter_status,
  blockedEventTypes: r.blocked_event_types,
});

/** The account's pipelines, oldest first. */
export async function listPipelines(sql: Sql, scope: TenantScope): Promise<PipelineRecord[]> {
  const rows = await sql.query<PipelineRow>(
    `SELECT id, tenant_id, name, type, active, pixel_id, filter_status, blocked_event_types
       FROM pipelines WHERE ${SCOPED} ORDER BY created_at, id`,
    scopeParams(scope),
  );
  return rows.map(toPipeline);
}

export async function findPipeline(sql: Sql, scope: TenantScope, id: string): Promise<PipelineRecord | null> {
  const [row] = await sql.query<PipelineRow>(
    `SELECT id, tenant_id, name, type, active, pixel_id, filter_status, blocked_event_types
       FROM pipelines WHERE ${SCOPED} AND id = $3`,
    [...scopeParams(scope), id],
  );
  return row ? toPipeline(row) : null;
}

/** Which sources and destinations each of the account's pipelines has. */
export async function listLinks(
  sql: Sql,
  scope: TenantScope,
): Promise<{ sources: SourceLink[]; destinations: DestinationLink[] }> {
  const [sources, destinations] = await Promise.all([
    sql.query<{ pipeline_id: string; source_id: string }>(
      `SELECT ps.pipeline_id, ps.source_id FROM pipeline_sources ps JOIN pipelines p ON p.id = ps.pipeline_id
        WHERE ${P_SCOPED} ORDER BY ps.pipeline_id, ps.source_id`,
      scopeParams(scope),
    ),
    sql.query<{ pipeline_id: string; destination_id: string; filter_status: boolean | null; blocked: string[] }>(
      `SELECT pd.pipeline_id, pd.destination_id, pd.filter_status, pd.blocked_event_types AS blocked
         FROM pipeline_destinations pd JOIN pipelines p ON p.id = pd.pipeline_id
        WHERE ${P_SCOPED} ORDER BY pd.pipeline_id, pd.destination_id`,
      scopeParams(scope),
    ),
  ]);
  return {
    sources: sources.map((r) => ({ pipelineId: r.pipeline_id, sourceId: r.source_id })),
    destinations: destinations.map((r) => ({
      pipelineId: r.pipeline_id,
      destinationId: r.destination_id,
      filterStatus: r.filter_status,
      blockedEventTypes: r.blocked,
    })),
  };
}

export async function insertPipeline(
  sql: Sql,
  p: { id: string; tenantId: string; name: string; type: PipelineType },
): Promise<void> {
  await sql.query('INSERT INTO pipelines (id, tenant_id, name, type) VALUES ($1, $2, $3, $4)', [
    p.id,
    p.tenantId,
    p.name,
    p.type,
  ]);
}

/** Fields left null keep their value. False when the account has no such pipeline. */
export async function updatePipeline(
  sql: Sql,
  scope: TenantScope,
  id: string,
  change: { name: string | null; active: boolean | null },
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE pipelines SET name = coalesce($4, name), active = coalesce($5, active), updated_at = now()
      WHERE ${SCOPED} AND id = $3 RETURNING id`,
    [...scopeParams(scope), id, change.name, change.active],
  );
  return rows.length === 1;
}

/**
 * Removes a pipeline with its links (its sources and destinations stay: they may serve other
 * pipelines). A META_CAPI_PIPELINE goes with its pixel connection: the caller deletes the pixel.
 */
export async function deletePipeline(sql: Sql, scope: TenantScope, id: string): Promise<boolean> {
  const rows = await sql.query(`DELETE FROM pipelines WHERE ${SCOPED} AND id = $3 RETURNING id`, [
    ...scopeParams(scope),
    id,
  ]);
  return rows.length === 1;
}

/** status null keeps the stored status; the list is replaced. */
export async function setPipelineFilter(
  sql: Sql,
  scope: TenantScope,
  id: string,
  filter: { status: boolean | null; blocked: string[] | null },
): Promise<{ filterStatus: boolean | null; blockedEventTypes: string[] } | null> {
  const [row] = await sql.query<{ filter_status: boolean | null; blocked_event_types: string[] }>(
    `UPDATE pipelines SET filter_status = coalesce($4, filter_status),
                          blocked_event_types = coalesce($5::text[], blocked_event_types), updated_at = now()
      WHERE ${SCOPED} AND id = $3 RETURNING filter_status, blocked_event_types`,
    [...scopeParams(scope), id, filter.status, filter.blocked],
  );
  return row ? { filterStatus: row.filter_status, blockedEventTypes: row.blocked_event_types } : null;
}

/** The filter of one destination in one pipeline of the account; null when they are not linked. */
export async function setDestinationFilter(
  sql: Sql,
  scope: TenantScope,
  link: { pipelineId: string; destinationId: string },
  filter: { status: boolean | null; blocked: string[] | null },
): Promise<DestinationLink | null> {
  const [row] = await sql.query<{ filter_status: boolean | null; blocked_event_types: string[] }>(
    `UPDATE pipeline_destinations pd
        SET filter_status = coalesce($5, pd.filter_status),
            blocked_event_types = coalesce($6::text[], pd.blocked_event_types)
       FROM pipelines p
      WHERE p.id = pd.pipeline_id AND ${P_SCOPED} AND pd.pipeline_id = $3 AND pd.destination_id = $4
      RETURNING pd.filter_status, pd.blocked_event_types`,
    [...scopeParams(scope), link.pipelineId, link.destinationId, filter.status, filter.blocked],
  );
  if (!row) return null;
  return { ...link, filterStatus: row.filter_status, blockedEventTypes: row.blocked_event_types };
}

export async function linkSource(sql: Sql, pipelineId: string, sourceId: string): Promise<void> {
  await sql.query('INSERT INTO pipeline_sources (pipeline_id, source_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    pipelineId,
    sourceId,
  ]);
}

export async function linkDestination(sql: Sql, pipelineId: string, destinationId: string): Promise<void> {
  await sql.query(
    'INSERT INTO pipeline_destinations (pipeline_id, destination_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [pipelineId, destinationId],
  );
}

/**
 * The ids ingest looks up whose routes these pipelines decide: their sources (a pixel
 * connection's source id is its pixel id). The pixel directory forgets them after a change.
 */
export async function sourceIdsOfPipelines(
  sql: Sql,
  scope: TenantScope,
  pipelineIds: readonly string[],
): Promise<string[]> {
  const rows = await sql.query<{ source_id: string }>(
    `SELECT DISTINCT ps.source_id FROM pipeline_sources ps JOIN pipelines p ON p.id = ps.pipeline_id
      WHERE ${P_SCOPED} AND ps.pipeline_id = ANY($3::text[])`,
    [...scopeParams(scope), [...pipelineIds]],
  );
  return rows.map((r) => r.source_id);
}

/** The pipelines a destination is in (for invalidating their sources). */
export async function pipelineIdsOfDestination(sql: Sql, scope: TenantScope, destinationId: string): Promise<string[]> {
  const rows = await sql.query<{ pipeline_id: string }>(
    `SELECT pd.pipeline_id FROM pipeline_destinations pd JOIN pipelines p ON p.id = pd.pipeline_id
      WHERE ${P_SCOPED} AND pd.destination_id = $3`,
    [...scopeParams(scope), destinationId],
  );
  return rows.map((r) => r.pipeline_id);
}
