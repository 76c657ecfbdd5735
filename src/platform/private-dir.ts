import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

// The data directory holds the secret key and the embedded database (every account's encrypted
// tokens, users and events). An older install may have made it world-readable, so the gateway
// makes it private itself at start: directories 0700, files 0600.

/**
 * Creates `dir` if needed and makes it and everything below it private to this user. Throws, with
 * the path, when something stays readable or writable by others (a file this user does not own).
 * Entries of `dir` named in `skip` are left alone (a PostgreSQL server keeps its own files 0700/0600).
 */
export async function makePrivate(dir: string, skip: readonly string[] = []): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const open: string[] = [];
  const walk = async (path: string, isDir: boolean) => {
    try {
      await chmod(path, isDir ? 0o700 : 0o600);
    } catch (err) {
      // A file removed while we walked (a server recycles WAL segments) needs nothing.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    }
    const stat = await lstat(path).catch(() => null);
    if (stat && (stat.mode & 0o077) !== 0) open.push(`${path} (mode ${(stat.mode & 0o777).toString(8)})`);
    if (!isDir) return;
    const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isSymbolicLink() || (path === dir && skip.includes(e.name))) continue;
      await walk(join(path, e.name), e.isDirectory());
    }
  };
  await walk(dir, true);
  if (open.length > 0) {
    throw new Error(
      `the data directory ${dir} cannot be made private (${open.length} entries are open to other users, e.g. ${open[0]}); fix their owner or modes`,
    );
  }
}
