// What the run needs before it starts: wrk, the built gateway (dist/), the peer's dependencies,
// and, for the PostgreSQL runs, a fresh database it creates and drops.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { descendants, runCommand, scanProcs } from './procs.mjs';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const require_ = (await import('node:module')).createRequire(join(ROOT, 'package.json'));

/** wrk on PATH, installed with apt-get when missing and running as root. */
export async function ensureWrk(log) {
  if (await has('wrk')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('wrk is missing: install it with `sudo apt-get install -y wrk` and run again');
  }
  log('wrk is missing: apt-get install -y wrk');
  try {
    await runCommand('apt-get', ['install', '-y', 'wrk'], { timeoutMs: 300_000 });
  } catch {
    await runCommand('apt-get', ['update'], { timeoutMs: 300_000 });
    await runCommand('apt-get', ['install', '-y', 'wrk'], { timeoutMs: 300_000 });
  }
  if (!(await has('wrk'))) throw new Error('wrk is still missing after apt-get install -y wrk');
}

async function has(cmd) {
  try {
    await runCommand('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

/** dist/cli/main.js, built with `npm run build` when missing. */
export async function ensureBuilt(log, logFile) {
  if (existsSync(join(ROOT, 'dist/cli/main.js')) && existsSync(join(ROOT, 'dist/fake-graph/fake-graph-server.js'))) {
    return;
  }
  log('dist/ is missing: npm run build');
  await runCommand('npm', ['run', 'build'], { cwd: ROOT, logFile, timeoutMs: 600_000 });
}

/** The peer's express + facebook-nodejs-business-sdk, in bench/peer/node_modules. */
export async function ensurePeerDeps(log, logFile) {
  const peer = join(ROOT, 'bench/peer');
  if (
    existsSync(join(peer, 'node_modules/express')) &&
    existsSync(join(peer, 'node_modules/facebook-nodejs-business-sdk'))
  ) {
    return;
  }
  log('peer dependencies missing: npm install --prefix bench/peer');
  await runCommand('npm', ['install', '--prefix', peer, '--no-audit', '--no-fund'], {
    cwd: ROOT,
    logFile,
    timeoutMs: 600_000,
  });
}

export function peerVersions() {
  const v = (name) => {
    try {
      return JSON.parse(readFileSync(join(ROOT, 'bench/peer/node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  return { express: v('express'), 'facebook-nodejs-business-sdk': v('facebook-nodejs-business-sdk') };
}

export const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function pgClient(url = ADMIN_URL) {
  const pg = require_('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  return client;
}

/** Whether the PostgreSQL server answers; returns its version string or null. */
export async function postgresVersion() {
  try {
    const c = await pgClient();
    try {
      const { rows } = await c.query('SHOW server_version');
      return rows[0].server_version;
    } finally {
      await c.end();
    }
  } catch {
    return null;
  }
}

/** Creates a fresh database; returns { url, drop() }. */
export async function createDatabase(name) {
  const c = await pgClient();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const base = new URL(ADMIN_URL);
  base.pathname = `/${name}`;
  return {
    name,
    url: base.toString(),
    async drop() {
      const d = await pgClient();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}

/**
 * The server pids of the harness's own sessions (queue polls, pg_stat_activity samples): left out
 * of the database's CPU and memory, which are the gateway's.
 */
export const harnessBackends = new Set();

/** A client on a bench database (for polling the queue, sampling pg_stat_activity). */
export async function connect(url) {
  const c = await pgClient(url);
  const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  harnessBackends.add(pid);
  const end = c.end.bind(c);
  c.backendPid = pid;
  c.end = async () => {
    try {
      await end();
    } finally {
      harnessBackends.delete(pid);
    }
  };
  return c;
}

let systemMaster = null;
/**
 * The PIDs of the PostgreSQL server at ADMIN_URL (the postmaster, from postmaster.pid in its data
 * directory, and all its children), for CPU accounting. The postmaster is looked up once.
 */
export async function postgresPids() {
  try {
    const table = scanProcs();
    if (!systemMaster || table.get(systemMaster.pid)?.start !== systemMaster.start) {
      const c = await pgClient();
      let dir;
      try {
        dir = (await c.query('SHOW data_directory')).rows[0].data_directory;
      } finally {
        await c.end();
      }
      const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      systemMaster = { pid, start: table.get(pid)?.start };
    }
    return [...descendants(table, [systemMaster.pid])].filter((pid) => !harnessBackends.has(pid));
  } catch {
    return [];
  }
}

export const newSecretKey = () => randomBytes(32).toString('base64');
