import type { Sql } from '../db.js';
import { scopedTo, scopeParams, type TenantScope } from './signal-configs-repo.js';

// An account's saved payload templates for custom HTTP destinations (the built-in ones live in
// code, src/publish/http-destination/). Names are unique per account; saving a name replaces it.

export interface SavedTemplate {
  id: string;
  name: string;
  body: string;
}

const SCOPED = scopedTo();

export async function listTemplates(sql: Sql, scope: TenantScope): Promise<SavedTemplate[]> {
  return sql.query<SavedTemplate>(`SELECT id, name, body FROM payload_templates WHERE ${SCOPED} ORDER BY name, id`, [
    ...scopeParams(scope),
  ]);
}

/** Inserts, or replaces the body of the account's template of that name; returns the stored one. */
export async function saveTemplate(sql: Sql, tenantId: string, t: SavedTemplate): Promise<SavedTemplate> {
  const [row] = await sql.query<SavedTemplate>(
    `INSERT INTO payload_templates (id, tenant_id, name, body) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, name) DO UPDATE SET body = excluded.body, updated_at = now()
     RETURNING id, name, body`,
    [t.id, tenantId, t.name, t.body],
  );
  if (!row) throw new Error('payload template upsert returned no row');
  return row;
}

export async function deleteTemplate(sql: Sql, scope: TenantScope, id: string): Promise<boolean> {
  const rows = await sql.query(`DELETE FROM payload_templates WHERE ${SCOPED} AND id = $3 RETURNING id`, [
    ...scopeParams(scope),
    id,
  ]);
  return rows.length === 1;
}
