import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from './net.js';
import { promisify } from 'node:util';

// A throwaway PostgreSQL cluster of its own, made with the Debian wrappers (pg_createcluster,
// pg_ctlcluster, pg_dropcluster), for tests that stop and start the server: stopping the shared
// test server would break every other test file running beside them.

const run = promisify(execFile);
const PREFIX = 'capig_outage_';

export interface ThrowawayCluster {
  readonly version: string;
  readonly name: string;
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust authentication on loopback). */
  url(database: string): string;
  start(): Promise<void>;
  /** fast: ends the sessions and checkpoints; immediate: like a crash (recovery at the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops (if running) and removes the cluster, data and configuration. Never throws. */
  drop(): Promise<void>;
}

/** Why a throwaway cluster cannot be made here, or null when it can. */
export function throwawayClusterUnavailable(): string | null {
  if (process.platform !== 'linux') return 'a throwaway PostgreSQL cluster needs Linux (Debian postgresql-common)';
  if (process.getuid?.() !== 0) return 'a throwaway PostgreSQL cluster needs root (pg_createcluster)';
  if (!existsSync('/usr/bin/pg_createcluster') || !existsSync('/usr/bin/pg_ctlcluster')) {
    return 'pg_createcluster is not installed (apt-get install postgresql)';
  }
  if (serverVersion() === null) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin';
  return null;
}

function serverVersion(): string | null {
  const dir = '/usr/lib/postgresql';
  if (!existsSync(dir)) return null;
  const versions = readdirSync(dir)
    .filter((v) => existsSync(`${dir}/${v}/bin/initdb`) && existsSync(`${dir}/${v}/bin/postgres`))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] ?? null;
}

/** Drops clusters left behind by test processes that died before their after() hook ran. */
async function dropOrphans(version: string): Promise<void> {
  const dir = `/etc/postgresql/${version}`;
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const pid = new RegExp(`^${PREFIX}(\\d+)_`).exec(name)?.[1];
    if (!pid || isAlive(Number(pid))) continue;
    await run('pg_dropcluster', ['--stop', version, name]).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates and starts a cluster on a free port, with a database `database`. */
export async function createThrowawayCluster(database: string): Promise<ThrowawayCluster> {
  const version = serverVersion();
  if (!version) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  await dropOrphans(version);
  const name = `${PREFIX}${process.pid}_${randomBytes(3).toString('hex')}`;
  const ctl = (...args: string[]) => run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, ...args]);
  let port = 0;
  let created = false;
  const cluster: ThrowawayCluster = {
    version,
    name,
    get port() {
      return port;
    },
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    async start() {
      await ctl('start');
    },
    async stop(mode = 'fast') {
      await ctl('stop', '-m', mode);
    },
    async drop() {
      if (!created) return;
      await run('pg_dropcluster', ['--stop', version, name]).catch(() => undefined);
      created = false;
    },
  };
  // The port can be taken between the probe and the start; try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await run('pg_createcluster', [
        version,
        name,
        '-p',
        String(port),
        // Small: it only has to hold one test's events, on a machine running other work.
        '-o',
        'shared_buffers=32MB',
        '-o',
        'max_connections=50',
        '--',
        '--auth=trust',
      ]);
      created = true;
      trustLoopback(`/etc/postgresql/${version}/${name}/pg_hba.conf`);
      await cluster.start();
      break;
    } catch (err) {
      await cluster.drop();
      if (attempt >= 3) throw err;
    }
  }
  try {
    await run('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `CREATE DATABASE ${database}`,
    ]);
  } catch (err) {
    await cluster.drop();
    throw err;
  }
  return cluster;
}

/** initdb's --auth=trust already does this; older wrappers ignore it, so make sure. */
function trustLoopback(hbaFile: string): void {
  const hba = readFileSync(hbaFile, 'utf8');
  const fixed = hba.replace(
    /^(host\s+all\s+all\s+(?:127\.0\.0\.1\/32|::1\/128)\s+)\S+/gm,
    (_m, head: string) => `${head}trust`,
  );
  if (fixed !== hba) writeFileSync(hbaFile, fixed);
}
