import pg from 'pg';
import type { Db, Sql } from './db.js';

// int8 (counts, ids) as JS numbers, as PGlite returns them, so both backends hand back the same rows.
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

export interface PostgresOptions {
  max?: number;
  onError?: (err: Error) => void;
}

export function openPostgresDb(url: string, opts: PostgresOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    types,
    connectionTimeoutMillis: 5_000,
    // A stuck statement must not hold an ingest request forever.
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 60_000,
  });
  // An idle client that loses its server emits here; without a listener the process would crash.
  pool.on('error', (err) => opts.onError?.(err));

  const asSql = (c: pg.Pool | pg.PoolClient): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      const res = await c.query(text, params);
      return res.rows as T[];
    },
    async exec(script: string) {
      await c.query(script);
    },
  });

  return {
    kind: 'postgres',
    ...asSql(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await fn(asSql(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        broken = err;
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release(broken instanceof Error && /terminat|connection/i.test(broken.message) ? broken : undefined);
      }
    },
    close: () => pool.end(),
  };
}
