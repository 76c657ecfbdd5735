import { Worker } from 'node:worker_threads';
import type { Db, Sql } from './db.js';

// PGlite runs PostgreSQL as WASM in a worker thread (pglite-worker.mjs), so its work does not block
// the event loop that serves HTTP. It writes to the OS without fsync: data survives a process
// crash, not a power loss. Production deployments that need more use DATABASE_URL.

// The same path from src/database (tsx) and dist/database (compiled): the worker ships in src.
const WORKER = new URL('../../src/database/pglite-worker.mjs', import.meta.url);

/** Shared buffers when the caller gives none (CAPIG_PGLITE_SHARED_BUFFERS_MB's default). */
export const DEFAULT_SHARED_BUFFERS_MB = 64;

export interface PgliteDb extends Db {
  /** An image of the whole database, for loadDataDir (tests start from a migrated image). */
  dump(): Promise<Blob>;
}

export async function openPgliteDb(
  dataDir: string | null,
  opts: { loadDataDir?: Blob; sharedBuffersMb?: number } = {},
): Promise<PgliteDb> {
  const image = opts.loadDataDir ? await opts.loadDataDir.arrayBuffer() : null;
  const worker = new Worker(WORKER, {
    workerData: { dataDir, image, sharedBuffersMb: opts.sharedBuffersMb ?? DEFAULT_SHARED_BUFFERS_MB },
    transferList: image ? [image] : [],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let failed: Error | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (msg: { id?: number; ready?: boolean; ok?: boolean; value?: unknown; error?: object }) => {
      if (msg.ready) return resolve();
      const p = pending.get(msg.id as number);
      if (!p) return;
      pending.delete(msg.id as number);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(Object.assign(new Error((msg.error as { message: string }).message), msg.error));
    });
    // A dead worker fails everything in flight and every later call (ingest answers 503).
    const die = (err: Error) => {
      failed = err;
      reject(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`the embedded database stopped (worker exit ${code})`)));
  });
  await ready;

  const call = <T>(type: string, extra: Record<string, unknown> = {}): Promise<T> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, type, ...extra });
    });
  };
  const sql = (tx?: number): Sql => ({
    query: <T>(text: string, params?: unknown[]) => call<T[]>('query', { text, params, tx }),
    exec: async (text: string) => {
      await call('exec', { text, tx });
    },
  });

  return {
    kind: 'pglite',
    ...sql(),
    async transaction(fn) {
      const tx = await call<number>('begin');
      try {
        const result = await fn(sql(tx));
        await call('commit', { tx });
        return result;
      } catch (err) {
        await call('rollback', { tx }).catch(() => undefined);
        throw err;
      }
    },
    async close() {
      if (!failed) await call('close');
      await worker.terminate();
    },
    dump: async () => new Blob([await call<ArrayBuffer>('dump')]),
  };
}
