import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, runCli } from '../cli.js';
import { serverEvent, startTestGateway, TEST_SECRET, type TestGateway, waitFor } from '../harness.js';

// Without DATABASE_URL the gateway runs a real PostgreSQL server in its data directory.
// An acknowledged event is on stable storage: the server's fdatasync of its WAL comes between the
// request and its 2xx. Other processes (the CLI) use the same server while the gateway runs.

const hasStrace = spawnSync('strace', ['-V']).status === 0;
const needStrace = !hasStrace && process.env.CI !== 'true' ? 'strace is not installed (apt-get install strace)' : false;

/** The postmaster and its children (backends, WAL writer, checkpointer). */
function serverPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = spawnSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
  return [postmaster, ...children];
}

describe('the embedded PostgreSQL server (no DATABASE_URL)', () => {
  let gw: TestGateway;
  let dataDir: string;
  before(async () => {
    dataDir = join(tmpdir(), `capig-embedded-${process.pid}-${Date.now()}`);
    gw = await startTestGateway({ onDisk: true, dataDir });
  });
  after(async () => {
    await gw.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the server runs fsync on, and stops with the gateway', async () => {
    const [row] = await gw.gateway.db.query<{ fsync: string; synchronous_commit: string }>(
      "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit",
    );
    assert.deepEqual(row, { fsync: 'on', synchronous_commit: 'on' });
    assert.ok(serverPids(dataDir).length > 1);
  });

  test('every acknowledgement comes after an fdatasync that began after its request', {
    skip: needStrace,
  }, async () => {
    const px = await gw.addPixel();
    const log = join(tmpdir(), `capig-fsync-${process.pid}.txt`);
    const args = ['-f', '-ttt', '-e', 'trace=fsync,fdatasync', '-o', log];
    for (const pid of serverPids(dataDir)) args.push('-p', String(pid));
    const strace = spawn('strace', args, { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 800));
    const now = () => (performance.timeOrigin + performance.now()) / 1000;
    const windows: Array<[number, number]> = [];
    for (let i = 0; i < 20; i++) {
      const sent = now();
      const res = await gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey);
      const acked = now();
      assert.equal(res.status, 200);
      windows.push([sent, acked]);
    }
    strace.kill('SIGINT');
    await new Promise((r) => strace.once('exit', r));
    const text = await readFile(log, 'utf8');
    await rm(log, { force: true });
    // "<pid> <epoch seconds> fdatasync(<fd>) = 0", possibly split by other threads' output.
    const syncs = [...text.matchAll(/^\d+\s+(\d+\.\d+)\s+f(?:data)?sync\(/gm)].map((m) => Number(m[1]));
    assert.ok(syncs.length >= windows.length, `${syncs.length} fsync calls for ${windows.length} acknowledgements`);
    const uncovered = windows.filter(([sent, acked]) => !syncs.some((t) => t >= sent && t <= acked));
    assert.deepEqual(uncovered, [], 'acknowledgements without an fsync between request and answer');
  });

  test('the CLI uses the same server while the gateway runs', async () => {
    const pixelId = `${Date.now()}77`;
    const res = await runCli(
      ['pixel', 'add', '--account', 'cliwhilerunning', '--pixel-id', pixelId, '--access-token', 'EAAcli1234'],
      {
        ...process.env,
        LOG_LEVEL: 'silent',
        CAPIG_DATA_DIR: dataDir,
        CAPIG_SECRET_KEY: TEST_SECRET,
        CAPIG_GRAPH_API_URL: gw.fake.url,
      },
    );
    assert.equal(res.code, 0, res.stderr);
    const accessKey = (JSON.parse(res.stdout) as { access_key: string }).access_key;
    gw.gateway.directory.invalidate();
    const sent = await gw.postServer(pixelId, { data: [serverEvent()] }, accessKey);
    assert.equal(sent.status, 200, await sent.text());
    await waitFor(() => gw.fake.events(pixelId).length === 1, 'the event reaches the fake Graph API');
    assert.ok(serverPids(dataDir).length > 1, 'the CLI left the gateway’s server running');
  });
});

test('run as root behind a directory closed to the server, its files go to /var/lib/capig-postgres', {
  skip: process.getuid?.() === 0 ? false : 'only root runs the server as another user',
}, async () => {
  const closed = await mkdtemp(join(tmpdir(), 'capig-closed-'));
  const dataDir = join(closed, 'data');
  let location = '';
  try {
    const gw = await startTestGateway({ onDisk: true, dataDir });
    try {
      location = (await readFile(join(dataDir, 'postgres.location'), 'utf8')).trim();
      assert.match(location, /^\/var\/lib\/capig-postgres\/[0-9a-f]{16}$/);
      const px = await gw.addPixel();
      assert.equal((await gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey)).status, 200);
    } finally {
      await gw.stop();
    }
    // The next start finds the server's files through the pointer.
    const again = await startTestGateway({ onDisk: true, dataDir });
    const [row] = await again.gateway.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM pixels');
    assert.equal(row?.n, 1);
    await again.stop();
  } finally {
    await rm(closed, { recursive: true, force: true });
    if (location) await rm(location, { recursive: true, force: true });
  }
});

test('npm start in a checkout behind a closed directory: the default ./data works', {
  skip: process.getuid?.() === 0 ? false : 'only root runs the server as another user',
  timeout: 120_000,
}, async () => {
  // A fresh clone in a 0700 temporary directory (or under /root), started with no CAPIG_DATA_DIR.
  const closed = await mkdtemp(join(tmpdir(), 'capig-checkout-'));
  const checkout = join(closed, 'p');
  await mkdir(checkout);
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PORT: '0', HOST: '127.0.0.1' };
  for (const k of ['CAPIG_DATA_DIR', 'DATABASE_URL', 'CAPIG_SECRET_KEY']) delete env[k];
  // tsx by its full URL: the checkout directory has no node_modules of its own.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, 'start'], {
    cwd: checkout,
    env: { ...env, LOG_LEVEL: 'info', CAPIG_WORKERS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let location = '';
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout?.on('data', (d) => {
        out += d;
        const m = /"url":"([^"]+)"[^\n]*"msg":"gateway started"/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.stderr?.on('data', (d) => {
        err += d;
      });
      child.on('exit', (code) => reject(new Error(`capig start exited with ${code}: ${err.slice(-2000)}`)));
    });
    assert.equal((await fetch(`${url}/health`)).status, 200);
    location = (await readFile(join(checkout, 'data', 'postgres.location'), 'utf8')).trim();
    assert.match(location, /^\/var\/lib\/capig-postgres\/[0-9a-f]{16}$/);
  } finally {
    child.kill('SIGTERM');
    await exited;
    await rm(closed, { recursive: true, force: true });
    if (location) await rm(location, { recursive: true, force: true });
  }
});
