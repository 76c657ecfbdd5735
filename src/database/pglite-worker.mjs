import { mkdir } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

// The worker side of pglite-db.ts (plain JavaScript: a worker cannot load TypeScript through tsx): runs PGlite off the main thread, so the WASM work of
// every statement no longer stalls HTTP handling. Messages are { id, type, ... }; every answer is
// { id, ok, value } or { id, ok: false, error }.

const { dataDir, image } = workerData;
if (dataDir !== null) await mkdir(dataDir, { recursive: true });
// 16 MB of shared buffers instead of PGlite's 128 MB: the gateway's hot data (the queue's head,
// counters, settings) is small, and the embedded mode should fit a small machine.
// No bitmap scans: PGlite has no autovacuum, so between maintenance runs the planner may think a
// queue of 100,000 rows is nearly empty, and it then fetched the whole queue and sorted it to take
// the newest 500 (120 ms per claim instead of 6). Without bitmaps it walks the index in order.
const conf = { postgresqlconf: ['shared_buffers = 16MB', 'enable_bitmapscan = off'] };
const pg = await PGlite.create(dataDir ?? undefined, image ? { ...conf, loadDataDir: new Blob([image]) } : conf);
const port = parentPort;

/** Open transactions: PGlite's transaction() callback waits on `finish` until commit or rollback. */
const open = new Map();
let nextTx = 1;
const ROLLBACK = Symbol('rollback');

port.on('message', async (req) => {
  try {
    port.postMessage({ id: req.id, ok: true, value: await handle(req) });
  } catch (err) {
    const e = err;
    // Keep what callers branch on (the SQLSTATE code), drop the rest.
    port.postMessage({
      id: req.id,
      ok: false,
      error: { message: e.message, code: e.code, detail: e.detail, constraint: e.constraint },
    });
  }
});
port.postMessage({ ready: true });

async function handle(req) {
  const target = req.tx !== undefined ? open.get(req.tx)?.tx : pg;
  if (!target) throw new Error(`transaction ${req.tx} is not open`);
  switch (req.type) {
    case 'query':
      return (await target.query(req.text, req.params)).rows;
    case 'exec':
      await target.exec(req.text);
      return null;
    case 'begin':
      return begin();
    case 'commit':
    case 'rollback': {
      const t = open.get(req.tx);
      open.delete(req.tx);
      t?.finish(req.type === 'commit');
      // Answer only once COMMIT (or ROLLBACK) has run: a commit error must reach the caller.
      await t?.settled;
      return null;
    }
    case 'dump': {
      const blob = await pg.dumpDataDir('none');
      return await blob.arrayBuffer();
    }
    case 'close':
      await pg.close();
      return null;
  }
}

/** Resolves with a transaction id once BEGIN ran; the transaction ends on commit or rollback. */
function begin() {
  return new Promise((resolve, reject) => {
    const id = nextTx++;
    let started = false;
    let finish = () => undefined;
    const settled = pg
      .transaction(
        (tx) =>
          new Promise((done, abort) => {
            started = true;
            finish = (commit) => (commit ? done() : abort(ROLLBACK));
            open.set(id, { tx, finish: (c) => finish(c), settled });
            resolve(id);
          }),
      )
      .then(
        () => undefined,
        (err) => {
          if (err === ROLLBACK) return;
          if (!started) reject(err);
          else throw err;
        },
      );
  });
}
