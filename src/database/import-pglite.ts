import { access, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db, Sql } from './db.js';
import { migrate } from './migrate.js';

// An install made on PGlite keeps its data when it moves to the embedded PostgreSQL server: the
// PGlite directory found in the data directory is brought to the current schema, copied table by
// table into the server in one transaction (all or nothing), and then renamed, so it is imported
// once and kept as it was.

/** Every table of the schema, parents before children. A table missing here fails the import. */
const TABLES = [
  'tenants',
  'pixels',
  'event_filters',
  'domain_filters',
  'ingress_domains',
  'users',
  'user_roles',
  'api_accounts',
  'sessions',
  'auth_links',
  'login_failures',
  'dedup_keys',
  'event_queue',
  'dead_letters',
  'event_metrics',
  'pixel_totals',
  'recent_events',
  'alert_settings',
  'alert_incidents',
  // Migration 0005 makes each pixel's Meta CAPI pipeline in the PGlite database before the copy.
  'pipelines',
  'data_sources',
  'pipeline_sources',
  'data_destinations',
  'pipeline_destinations',
  'payload_templates',
  'file_uploads',
] as const;
const CHUNK = 5_000;

export interface ImportResult {
  /** Rows copied per table. */
  rows: Record<string, number>;
  /** Where the PGlite directory now lies. */
  keptAt: string;
}

/** Imports `dataDir`/pglite into `target` (migrated) if it is there; null when there is nothing to import. */
export async function importPgliteIfPresent(dataDir: string, target: Db): Promise<ImportResult | null> {
  const dir = join(dataDir, 'pglite');
  if (
    !(await access(join(dir, 'PG_VERSION')).then(
      () => true,
      () => false,
    ))
  )
    return null;
  const [existing] = await target.query<{ n: number }>(
    'SELECT (SELECT count(*) FROM tenants) + (SELECT count(*) FROM users) + (SELECT count(*) FROM event_queue) AS n',
  );
  if ((existing?.n ?? 0) > 0) {
    throw new Error(
      `${dir} holds an embedded PGlite database, and the PostgreSQL server in ${join(dataDir, 'postgres')} has data too: move one of them away so nothing is overwritten`,
    );
  }
  const source = await openPgliteDirectory(dir);
  const rows: Record<string, number> = {};
  try {
    await migrate(source);
    const found = await source.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`,
    );
    const unknown = found.map((t) => t.name).filter((n) => !(TABLES as readonly string[]).includes(n));
    if (unknown.length > 0) throw new Error(`the import does not know the tables ${unknown.join(', ')}`);
    await target.transaction(async (tx) => {
      for (const table of TABLES) {
        rows[table] = 0;
        let after = '(0,0)';
        for (;;) {
          // Keyset on the physical row position: constant cost per chunk, whatever the table's key.
          const chunk = await source.query<{ c: string; r: string }>(
            `SELECT ctid::text AS c, row_to_json(t)::text AS r FROM ${table} t WHERE ctid > $1::tid ORDER BY ctid LIMIT ${CHUNK}`,
            [after],
          );
          if (chunk.length === 0) break;
          await tx.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [
            `[${chunk.map((x) => x.r).join(',')}]`,
          ]);
          rows[table] += chunk.length;
          after = chunk[chunk.length - 1]?.c as string;
        }
      }
      // bigserial ids continue after the imported ones.
      const serials = await tx.query<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns
          WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'`,
      );
      for (const { t, c } of serials) {
        await tx.query(
          `SELECT setval(pg_get_serial_sequence('${t}', '${c}'), coalesce((SELECT max(${c}) FROM ${t}), 0) + 1, false)`,
        );
      }
    });
  } finally {
    await source.close();
  }
  const keptAt = `${dir}.imported-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(dir, keptAt);
  return { rows, keptAt };
}

/**
 * The former release's database, opened in this process only for the import (PGlite is no longer a
 * runtime engine: this is the one place that loads it).
 */
export async function openPgliteDirectory(dir: string): Promise<Db> {
  // Loaded only when there is something to import, so no gateway carries PGlite in its memory.
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create(dir);
  type Conn = Pick<typeof pg, 'query' | 'exec'>;
  const asSql = (c: Conn): Sql => ({
    query: async <T>(text: string, params?: unknown[]) => (await c.query<T>(text, params)).rows,
    exec: async (script: string) => {
      await c.exec(script);
    },
  });
  return {
    ...asSql(pg),
    transaction: (fn) => pg.transaction((tx) => fn(asSql(tx))),
    close: () => pg.close(),
  };
}
