import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Sql } from './db.js';

// PGlite runs PostgreSQL in-process (WASM). It writes to the OS without fsync: data survives a
// process crash, not a power loss. Production deployments that need more use DATABASE_URL.
export async function openPgliteDb(dataDir: string | null, opts: { loadDataDir?: Blob } = {}): Promise<Db> {
  if (dataDir !== null) await mkdir(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir ?? undefined, opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {});
  return wrap(pg);
}

function asSql(q: Pick<PGlite, 'query' | 'exec'>): Sql {
  return {
    async query<T>(text: string, params?: unknown[]) {
      const res = await q.query<T>(text, params as unknown[] | undefined);
      return res.rows;
    },
    async exec(script: string) {
      await q.exec(script);
    },
  };
}

function wrap(pg: PGlite): Db & { dump(): Promise<Blob> } {
  return {
    kind: 'pglite',
    ...asSql(pg),
    transaction: (fn) => pg.transaction((tx) => fn(asSql(tx))),
    close: () => pg.close(),
    dump: async () => (await pg.dumpDataDir('none')) as Blob,
  };
}
