// Starting the servers under test: the fake Graph API, the bare ceiling, the Express+SDK peer and
// the gateway itself (`node dist/cli/main.js start`, a separate process as in production).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIXEL_ID } from './load.mjs';
import { freePort, runCommand, startProcess, waitHttp } from './procs.mjs';
import { ROOT } from './setup.mjs';

export const ACCESS_TOKEN = 'EAABbenchmarkAccessToken0123456789';

/** Environment without variables of the caller that would change what is measured. */
function baseEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('CAPIG_') || key === 'DATABASE_URL' || key === 'PORT' || key === 'NODE_OPTIONS') delete env[key];
  }
  return { ...env, NODE_ENV: 'production', ...extra };
}

export async function startFake(logDir) {
  const port = await freePort();
  // It keeps only 1,000 accepted events for inspection, so a million-event drain does not fill its
  // heap; its counters still count them all.
  const args = [join(ROOT, 'dist/cli/main.js'), 'fake-graph', '--port', String(port), '--record-limit', '1000'];
  const proc = startProcess('fake-graph', process.execPath, args, {
    env: baseEnv({}),
    cwd: ROOT,
    logFile: join(logDir, 'fake-graph.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/_fake/health`, { proc });
  return {
    proc,
    url,
    async stats() {
      const res = await fetch(`${url}/_fake/stats`);
      return res.json();
    },
    async reset() {
      await fetch(`${url}/_fake/reset`, { method: 'POST' });
    },
  };
}

export async function startBare(logDir) {
  const port = await freePort();
  const proc = startProcess('bare', process.execPath, [join(ROOT, 'bench/servers/bare.mjs')], {
    env: baseEnv({ PORT: String(port) }),
    cwd: ROOT,
    logFile: join(logDir, 'bare.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForPost(`${url}/events`, proc);
  return { proc, url };
}

export async function startPeer(logDir, fakeUrl) {
  const port = await freePort();
  const proc = startProcess('peer', process.execPath, [join(ROOT, 'bench/peer/server.mjs')], {
    env: baseEnv({ PORT: String(port), GRAPH_URL: fakeUrl, ACCESS_TOKEN }),
    cwd: ROOT,
    logFile: join(logDir, 'peer.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForPost(`${url}/events`, proc);
  return { proc, url };
}

async function waitForPost(url, proc) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exited) throw new Error(`${proc.name} exited before answering`);
    try {
      const res = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer`);
}

/**
 * A gateway database: PGlite in a fresh temp dir, or a PostgreSQL database (created by the caller).
 * Returns the environment the CLI needs for it.
 */
export function pgliteStore() {
  const dataDir = mkdtempSync(join(tmpdir(), 'capig-bench-'));
  return {
    kind: 'pglite',
    // Named: the embedded default is now the PostgreSQL server (no phase measures it yet).
    env: { CAPIG_DATA_DIR: dataDir, CAPIG_EMBEDDED_ENGINE: 'pglite' },
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export function postgresStore(db, secretKey) {
  // CAPIG_DATA_DIR still gets a temp dir so nothing lands in ./data.
  const dataDir = mkdtempSync(join(tmpdir(), 'capig-bench-'));
  return {
    kind: 'postgres',
    db,
    env: { DATABASE_URL: db.url, CAPIG_SECRET_KEY: secretKey, CAPIG_DATA_DIR: dataDir },
    cleanup: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    },
  };
}

/** `capig pixel add` (on PGlite, before the gateway starts); returns the pixel's access key. */
export async function addPixel(store, fakeUrl, logDir) {
  const { stdout } = await runCommand(
    process.execPath,
    [
      join(ROOT, 'dist/cli/main.js'),
      'pixel',
      'add',
      '--account',
      'bench',
      '--pixel-id',
      PIXEL_ID,
      '--access-token',
      ACCESS_TOKEN,
    ],
    {
      env: baseEnv({ ...store.env, CAPIG_GRAPH_API_URL: fakeUrl, LOG_LEVEL: 'warn' }),
      cwd: ROOT,
      logFile: join(logDir, 'cli.log'),
    },
  );
  const line = stdout.trim().split('\n').pop();
  return JSON.parse(line).access_key;
}

/**
 * Starts `node dist/cli/main.js start`. opts: publish (default true), maxBatch, profileDir
 * (adds --cpu-prof), name.
 */
export async function startGateway(store, fakeUrl, logDir, opts = {}) {
  const port = await freePort();
  const nodeArgs = [];
  if (opts.profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`);
  const env = baseEnv({
    ...store.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CAPIG_GRAPH_API_URL: fakeUrl,
    CAPIG_REGISTER_OPENBRIDGE: 'off',
    // The benchmark measures capacity: one account sends everything, so its rate limit is off.
    CAPIG_RATE_LIMIT_ACCOUNT: '0',
    CAPIG_PUBLISH: opts.publish === false ? 'off' : 'on',
    ...(opts.maxBatch ? { CAPIG_PUBLISH_MAX_BATCH: String(opts.maxBatch) } : {}),
  });
  const name = opts.name ?? `gateway-${store.kind}`;
  const proc = startProcess(name, process.execPath, [...nodeArgs, join(ROOT, 'dist/cli/main.js'), 'start'], {
    env,
    cwd: ROOT,
    logFile: join(logDir, `${name}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/health`, { proc, timeoutMs: 90_000 });
  return { proc, url };
}

/** Log lines at warn or above that a gateway wrote (a clean run has none). */
export function gatewayWarnings(logFile) {
  try {
    return readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{') && /"level":(40|50|60)/.test(l)).length;
  } catch {
    return 0;
  }
}
