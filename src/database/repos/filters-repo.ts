import type { FilterState } from '../../domain/pixel.js';
import type { Sql } from '../db.js';
import type { TenantScope } from './signal-configs-repo.js';

// The control plane's reads of event and domain filters, scoped like signal-configs-repo.ts (the
// account AND the caller's visible accounts, in SQL). Writes go through accounts-repo.ts.

export type FilterKind = 'event' | 'domain';

// Table and column names come from this closed map, never from input.
const TABLES: Record<FilterKind, { table: string; column: string }> = {
  event: { table: 'event_filters', column: 'event_name' },
  domain: { table: 'domain_filters', column: 'domain' },
};

export interface StoredFilter {
  /** '' for the account-wide row. */
  pixelId: string;
  name: string;
  state: FilterState;
}

/** The account's filter rows, optionally only those of one name. */
export async function filterRows(
  sql: Sql,
  scope: TenantScope,
  kind: FilterKind,
  name: string | null = null,
): Promise<StoredFilter[]> {
  const { table, column } = TABLES[kind];
  return sql.query<StoredFilter>(
    `SELECT pixel_id AS "pixelId", ${column} AS name, state FROM ${table}
      WHERE tenant_id = $1 AND tenant_id = ANY($2::text[]) AND ($3::text IS NULL OR ${column} = $3)
      ORDER BY ${column}, pixel_id`,
    [scope.tenantId, [...scope.visibleTenantIds], name],
  );
}

/**
 * Removes the pixels' own rows for one name, so an account-wide rule written next applies to every
 * pixel of the account (Meta: "if null is provided, all the Pixels for the account will be updated").
 */
export async function clearPixelRows(sql: Sql, scope: TenantScope, kind: FilterKind, name: string): Promise<void> {
  const { table, column } = TABLES[kind];
  await sql.query(
    `DELETE FROM ${table} WHERE tenant_id = $1 AND tenant_id = ANY($2::text[]) AND pixel_id <> '' AND ${column} = $3`,
    [scope.tenantId, [...scope.visibleTenantIds], name],
  );
}
