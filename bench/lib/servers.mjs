// Starting the servers under test: the fake Graph API, the bare ceiling, the Express+SDK peer and
// the gateway itself (`node dist/cli/main.js start`, a separate process as in production).

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIXEL_ID } from './load.mjs';
import {
  cleanupOnExit,
  descendants,
  freePort,
  killOnExit,
  memorySampler,
  procKey,
  runCommand,
  scanProcs,
  sleep,
  startProcess,
  stillRunning,
  waitHttp,
} from './procs.mjs';
import { harnessBackends, ROOT } from './setup.mjs';

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
 * The embedded default: a fresh CAPIG_DATA_DIR in the temp directory, no DATABASE_URL, no engine
 * setting, so the gateway starts and supervises its own PostgreSQL server in <dir>/postgres. Run as
 * root, mkdtemp's 0700 directory is handed to the server's user by the gateway; should a directory
 * above it be closed to that user, the files go to /var/lib/capig-postgres/<hash> and
 * <dir>/postgres.location says so. cleanup() stops a server left running (and says so: the gateway
 * must have stopped it), then removes the data directory, the relocated one and an outside socket
 * directory.
 */
export function embeddedStore() {
  const dataDir = mkdtempSync(join(tmpdir(), 'capig-bench-'));
  let seenServerDir = null;
  let socketDir = null;
  let master = null;
  const serverDir = () => {
    if (seenServerDir) return seenServerDir;
    let dir = join(dataDir, 'postgres');
    try {
      dir = readFileSync(join(dataDir, 'postgres.location'), 'utf8').trim() || dir;
    } catch {
      // not relocated (or not created yet)
    }
    if (existsSync(join(dir, 'PG_VERSION'))) seenServerDir = dir;
    return dir;
  };
  /** The postmaster's pid (line 1 of postmaster.pid; line 5 is the socket directory), or null. */
  const postmaster = () => {
    const table = scanProcs();
    if (master && table.get(master.pid)?.start === master.start) return master.pid;
    master = null;
    let lines;
    try {
      lines = readFileSync(join(serverDir(), 'postmaster.pid'), 'utf8').split('\n');
    } catch {
      return null;
    }
    const pid = Number(lines[0]);
    const p = table.get(pid);
    if (!p) return null;
    master = { pid, start: p.start };
    if (lines[4]) socketDir = lines[4].trim();
    return pid;
  };
  // Removes only what the gateway made for this data directory: the directory itself, the
  // relocated server files (/var/lib/capig-postgres/<hash>) and a socket directory outside them
  // (<tmp>/capig-pg-<hash>, for a server path too long for a socket).
  const cleanupNow = () => {
    const dir = serverDir();
    rmSync(dataDir, { recursive: true, force: true });
    if (/^\/var\/lib\/capig-postgres\/[0-9a-f]+$/.test(dir)) rmSync(dir, { recursive: true, force: true });
    const outsideSocket = join(tmpdir(), `capig-pg-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
    for (const d of new Set([socketDir, outsideSocket])) {
      if (d && /\/capig-pg-[0-9a-f]+$/.test(d)) rmSync(d, { recursive: true, force: true });
    }
  };
  const unregister = cleanupOnExit(() => {
    for (const pid of serverProcesses(serverDir(), postmaster())) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    cleanupNow();
  });
  return {
    kind: 'embedded',
    dataDir,
    env: { CAPIG_DATA_DIR: dataDir },
    serverDir,
    postmaster,
    /** node-postgres URL of the running server (Unix socket, role capig, database postgres). */
    url() {
      if (postmaster() === null || !socketDir)
        throw new Error(`the embedded PostgreSQL server of ${dataDir} is not running`);
      return `postgres://capig@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
    },
    /** The server's processes running now (after a gateway stopped: none, if it stopped its server). */
    serverProcessesNow: () =>
      serverProcesses(serverDir(), postmaster()).map((pid) => ({ pid, comm: scanProcs(0).get(pid)?.comm ?? '?' })),
    /** The directory the server's files went to when not inside CAPIG_DATA_DIR, else null. */
    relocated: () => (serverDir().startsWith(`${dataDir}/`) ? null : serverDir()),
    /** After the gateway stopped: processes of the server still there (none if it stopped it). */
    async cleanup() {
      const dir = serverDir();
      const left = serverProcesses(dir, postmaster());
      const leftover = left.map((pid) => ({ pid, comm: scanProcs(0).get(pid)?.comm ?? '?' }));
      if (left.length) {
        // Fast shutdown first, as the gateway would; then SIGKILL whatever is still there.
        try {
          process.kill(left[0], 'SIGINT');
        } catch {
          // gone
        }
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && serverProcesses(dir, left[0]).length) await sleep(100);
        for (const pid of serverProcesses(dir, left[0])) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
      cleanupNow();
      unregister();
      return { leftover_server_processes: leftover, relocated: !dir.startsWith(`${dataDir}/`) ? dir : null };
    },
  };
}

/**
 * The processes of the PostgreSQL server in dir: the postmaster (known pid, or the postgres process
 * whose command line has `-D dir`) and its children.
 */
function serverProcesses(dir, knownMaster) {
  const table = scanProcs(0);
  let masterPid = knownMaster && table.has(knownMaster) ? knownMaster : null;
  if (masterPid === null) {
    for (const p of table.values()) {
      if (p.comm !== 'postgres') continue;
      let args;
      try {
        args = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
      } catch {
        continue;
      }
      const i = args.indexOf('-D');
      if (i >= 0 && args[i + 1] === dir) {
        masterPid = p.pid;
        break;
      }
    }
  }
  if (masterPid === null) return [];
  return [masterPid, ...[...descendants(table, [masterPid])].filter((pid) => pid !== masterPid)];
}

/** A fresh database on the machine's PostgreSQL (DATABASE_URL), created by the caller. */
export function postgresStore(db, secretKey) {
  // CAPIG_DATA_DIR still gets a temp dir so nothing lands in ./data.
  const dataDir = mkdtempSync(join(tmpdir(), 'capig-bench-'));
  return {
    kind: 'postgres',
    db,
    env: { DATABASE_URL: db.url, CAPIG_SECRET_KEY: secretKey, CAPIG_DATA_DIR: dataDir },
    postmaster: () => null,
    url: () => db.url,
    serverProcessesNow: () => [],
    relocated: () => null,
    cleanup: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
      return {};
    },
  };
}

/**
 * `capig pixel add` before the gateway starts (on the embedded default the CLI starts the server,
 * then stops it); returns the pixel's access key.
 */
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
 * Starts `node dist/cli/main.js start`. opts: publish (default true), maxBatch, workers
 * (CAPIG_WORKERS; unset leaves the gateway's default), profileDir (adds --cpu-prof), name.
 *
 * The gateway is a process tree: the node process started here, its cluster workers (CAPIG_WORKERS
 * > 1) and, on the embedded default, the PostgreSQL server (postmaster from its postmaster.pid, and
 * the postmaster's children; the postmaster is spawned detached, so it is looked up, not assumed to
 * be a descendant). processes() gives { gateway: [pids], postgres: [pids] } anew at each call,
 * without the harness's own database sessions. memory samples that whole set from start to stop().
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
    ...(opts.workers ? { CAPIG_WORKERS: String(opts.workers) } : {}),
  });
  const name = opts.name ?? `gateway-${store.kind}`;
  const proc = startProcess(name, process.execPath, [...nodeArgs, join(ROOT, 'dist/cli/main.js'), 'start'], {
    env,
    cwd: ROOT,
    logFile: join(logDir, `${name}.log`),
  });
  const processes = () => {
    const table = scanProcs();
    const master = store.postmaster();
    const server = master ? descendants(table, [master]) : new Set();
    const tree = descendants(table, [proc.pid]);
    return {
      gateway: [...tree].filter((pid) => !server.has(pid)),
      postgres: [...server].filter((pid) => !harnessBackends.has(pid)),
    };
  };
  const unregister = killOnExit(() => {
    const p = processes();
    return [...p.gateway, ...p.postgres];
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${url}/health`, { proc, timeoutMs: 90_000 });
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }
  const memory = memorySampler(processes);
  return {
    proc,
    url,
    pid: proc.pid,
    name,
    workers: opts.workers ?? null,
    processes,
    memory,
    /**
     * SIGTERM to the gateway (it drains, stops its workers and its PostgreSQL server), then checks
     * that every process seen in its tree is gone within 10 s, SIGKILLs any that is not, and says so.
     */
    async stop() {
      const mem = await memory.stop();
      const table = scanProcs(0);
      const now = processes();
      const keys = new Map();
      for (const [role, pids] of Object.entries(now)) {
        for (const pid of pids) {
          const p = table.get(pid);
          if (p) keys.set(procKey(p), { pid, role, comm: p.comm });
        }
      }
      for (const key of memory.lastKeys()) {
        if (!keys.has(key)) keys.set(key, { pid: Number(key.split(':')[0]), role: '?', comm: '?' });
      }
      const exit = await proc.stop(60_000);
      const deadline = Date.now() + 10_000;
      let left = [...keys.keys()].filter(stillRunning);
      while (left.length && Date.now() < deadline) {
        await sleep(100);
        left = left.filter(stillRunning);
      }
      for (const key of left) {
        try {
          process.kill(keys.get(key).pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      unregister();
      return {
        exit,
        memory: mem,
        processes_at_stop: { gateway: now.gateway.length, postgres: now.postgres.length },
        leftover: left.map((k) => keys.get(k)),
      };
    },
  };
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
