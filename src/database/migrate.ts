import { readdir, readFile } from 'node:fs/promises';
import type { Db } from './db.js';

// The same path from src/database (tsx) and dist/database (compiled): the SQL ships in src.
const MIGRATIONS_DIR = new URL('../../src/database/migrations/', import.meta.url);
// Any fixed number: instances that boot together queue on it instead of racing.
const MIGRATION_LOCK = 7_260_417_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      sql: await readFile(new URL(file, MIGRATIONS_DIR), 'utf8'),
    })),
  );
}

/**
 * Applies pending migrations, each in its own transaction; returns the names applied. `upTo` stops
 * after that version (tests build a database as an earlier release left it).
 */
export async function migrate(db: Db, opts: { upTo?: number } = {}): Promise<string[]> {
  const migrations = (await loadMigrations()).filter((m) => opts.upTo === undefined || m.version <= opts.upTo);
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const rows = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (rows.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}

/** How many known migrations the database lacks (0 when it is current). */
export async function pendingMigrations(db: Db): Promise<number> {
  const known = await loadMigrations();
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((r) => r.version));
  return known.filter((m) => !applied.has(m.version)).length;
}
