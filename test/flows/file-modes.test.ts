import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makePrivate } from '../../src/platform/private-dir.js';
import { startTestGateway } from '../harness.js';

// The data directory holds the embedded database (accounts, users, encrypted tokens, events) and
// the generated secret key. Under a permissive umask nothing in it may be open to other users.

async function openEntries(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string) => {
    const s = await stat(path);
    if ((s.mode & 0o077) !== 0) out.push(`${path} ${(s.mode & 0o777).toString(8)}`);
    if (s.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
  };
  await walk(dir);
  return out;
}

test(`the data directory and every file in it are private, whatever the umask`, async () => {
  const parent = await mkdtemp(join(tmpdir(), 'capig-modes-'));
  // Run as root, the embedded PostgreSQL server's user must pass through to its files.
  await chmod(parent, 0o711);
  const dataDir = join(parent, 'data');
  // An older install: a world-readable directory and key.
  await mkdir(dataDir, { mode: 0o755 });
  await chmod(dataDir, 0o755);
  const previous = process.umask(0o022);
  try {
    const gw = await startTestGateway({
      onDisk: true,
      dataDir,
      env: { CAPIG_SECRET_KEY: '' },
    });
    try {
      const px = await gw.addPixel();
      assert.equal((await gw.postServer(px.pixelId, { data: [] }, px.accessKey)).status, 400);
      assert.equal((await stat(dataDir)).mode & 0o777, 0o700);
      assert.ok((await readdir(dataDir)).includes('postgres'), 'the database lives in postgres/');
      assert.deepEqual(await openEntries(dataDir), []);
      assert.ok((await readdir(dataDir)).includes('secret.key'));
    } finally {
      await gw.stop();
    }
  } finally {
    process.umask(previous);
    await rm(parent, { recursive: true, force: true });
  }
});

test('makePrivate makes open files 0600 and open directories 0700', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capig-private-'));
  try {
    await writeFile(join(dir, 'open.txt'), 'x', { mode: 0o666 });
    await chmod(join(dir, 'open.txt'), 0o666);
    await mkdir(join(dir, 'sub'), { mode: 0o777 });
    await makePrivate(dir);
    assert.deepEqual(await openEntries(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
