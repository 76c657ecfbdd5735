import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, Sql } from './db.js';

// int8 (counts, ids) as JS numbers: ids and counts stay far below 2^53.
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

const names = new Map<string, string>();

/** A stable name per SQL text, for node-postgres' per-connection prepared statements. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `capig_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return name;
}

export interface PostgresOptions {
  /**
   * Connections at most. Each busy session of the server holds 10-25 MB of its own, so a process
   * keeps only what it overlaps: 4 group commits in flight, the publisher's claims, the control plane.
   */
  max?: number;
  onError?: (err: Error) => void;
}

export function openPostgresDb(url: string, opts: PostgresOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 8,
    types,
    connectionTimeoutMillis: 5_000,
    // A stuck statement must not hold an ingest request forever.
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 60_000,
  });
  // An idle client that loses its server emits here; without a listener the process would crash.
  // Once closing, the pool only asked its clients to end, and a server stopped right after (the
  // embedded one) may still terminate them: that is our own shutdown, not a lost connection.
  let closing = false;
  pool.on('error', (err) => {
    if (!closing) opts.onError?.(err);
  });

  const asSql = (c: pg.Pool | pg.PoolClient): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      // Parameterized statements are prepared once per connection: our SQL is a fixed set of
      // templates, and planning the ingest statement costs as much as running it.
      const res = params ? await c.query({ name: statementName(text), text, values: params }) : await c.query(text);
      return res.rows as T[];
    },
    async exec(script: string) {
      await c.query(script);
    },
  });

  return {
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
    close() {
      closing = true;
      return pool.end();
    },
  };
}
