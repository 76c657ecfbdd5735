import { mkdir } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

// The worker side of pglite-db.ts (plain JavaScript: a worker cannot load TypeScript through tsx): runs PGlite off the main thread, so the WASM work of
// every statement no longer stalls HTTP handling. Messages are { id, type, ... }; every answer is
// { id, ok, value } or { id, ok: false, error }.

const { dataDir, image, sharedBuffersMb } = workerData;
if (dataDir !== null) await mkdir(dataDir, { recursive: true });
// shared_buffers is CAPIG_PGLITE_SHARED_BUFFERS_MB (64 by default, PGlite's own is 128): once the
// queue and dedup keys outgrow it, every page miss is a file read through JavaScript, and the
// VACUUM after a burst took several hundred milliseconds on 16 MB, stalling every statement.
// No bitmap scans: PGlite has no autovacuum, so between maintenance runs the planner may think a
// queue of 100,000 rows is nearly empty, and it then fetched the whole queue and sorted it to take
// the newest 500 (120 ms per claim instead of 6). Without bitmaps it walks the index in order.
const conf = { postgresqlconf: [`shared_buffers = ${sharedBuffersMb}MB`, 'enable_bitmapscan = off'] };
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
      if (req.tx === undefined) {
        const prepared = await executePrepared(req.text, req.params);
        if (prepared) return prepared;
      }
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

// Prepared statements. PGlite plans every parameterized query again, and for the gateway's
// statements planning costs more than running them: a group commit of one event took 2.0 ms
// unprepared and 0.64 ms as EXECUTE of a prepared statement. PGlite's query() has no named
// statements, so the SQL is prepared once (PREPARE) and run as EXECUTE with the values written as
// literals. Only values whose literal form is exact are inlined; anything else takes query().
/** SQL text → Promise of its statement's name. */
const statements = new Map();
const MAX_STATEMENTS = 200;
let preparedCount = 0;
const literalsSafe = (await pg.query('SHOW standard_conforming_strings')).rows[0]?.standard_conforming_strings === 'on';

/** The value as an SQL literal, or null when it has no exact one here. */
function literal(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number')
    return Number.isSafeInteger(v) || (Number.isFinite(v) && !Number.isInteger(v)) ? `${v}` : null;
  // With standard_conforming_strings, a quote is the only character to escape; a NUL would end the
  // query text, so such a value goes through query() and gets the database's own error.
  if (typeof v === 'string') return v.includes('\0') ? null : `'${v.replaceAll("'", "''")}'`;
  return null;
}

async function executePrepared(text, params) {
  if (!literalsSafe || !params || params.length === 0) return null;
  const literals = params.map(literal);
  if (literals.includes(null)) return null;
  const name = await prepare(text);
  if (!name) return null;
  const results = await pg.exec(`EXECUTE ${name}(${literals.join(', ')})`);
  return results[results.length - 1]?.rows ?? [];
}

/**
 * The statement's name once its PREPARE has run, or null when the cache is full. The name and the
 * pending PREPARE are recorded before awaiting it, so texts first used at the same moment neither
 * share a name nor prepare the same text twice.
 */
function prepare(text) {
  let name = statements.get(text);
  if (!name) {
    if (statements.size >= MAX_STATEMENTS) return null;
    const chosen = `capig_${++preparedCount}`;
    name = pg.exec(`PREPARE ${chosen} AS ${text}`).then(
      () => chosen,
      (err) => {
        statements.delete(text);
        throw err;
      },
    );
    statements.set(text, name);
  }
  return name;
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
