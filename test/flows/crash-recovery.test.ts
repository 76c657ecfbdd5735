import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { migrate } from '../../src/database/migrate.js';
import { createAccountsRepo } from '../../src/database/repos/accounts-repo.js';
import { type FakeGraph, startFakeGraph } from '../../src/fake-graph/fake-graph-server.js';
import { openDatabase } from '../../src/main.js';
import { createLogger } from '../../src/platform/logger.js';
import { createSecretBox } from '../../src/platform/secret-box.js';
import { createTestDatabase, serverEvent, TEST_DATABASE_URL, TEST_SECRET, waitFor } from '../harness.js';

// kill -9 while receiving: every event that got a 2xx is published after the restart. On the
// suite's database, and on the PostgreSQL server the gateway runs itself, whose orphaned server the
// restarted gateway adopts.
for (const embeddedPostgres of [false, true]) crashRecovery(embeddedPostgres);

function crashRecovery(embeddedPostgres: boolean) {
  describe(`crash recovery (${embeddedPostgres ? 'the embedded PostgreSQL server' : 'DATABASE_URL'})`, () => {
    let fake: FakeGraph;
    let dataDir: string;
    let database: { url: string; drop(): Promise<void> } | null = null;
    let child: ChildProcess | null = null;

    before(async () => {
      fake = await startFakeGraph();
      dataDir = await mkdtemp(join(tmpdir(), 'capig-crash-'));
      if (!embeddedPostgres) database = await createTestDatabase(TEST_DATABASE_URL);
    });
    after(async () => {
      child?.kill('SIGKILL');
      if (embeddedPostgres) await stopServer(join(dataDir, 'postgres'));
      await fake.close();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    const env = () => ({
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      CAPIG_DATA_DIR: dataDir,
      CAPIG_SECRET_KEY: TEST_SECRET,
      CAPIG_GRAPH_API_URL: fake.url,
      CAPIG_GRAPH_TIMEOUT_MS: '1000',
      CAPIG_PUBLISH_MAX_WAIT_MS: '50',
      CAPIG_PUBLISH_RETRY_BASE_MS: '100',
      LOG_LEVEL: 'info',
      // The embedded variant runs as a primary and two workers, the DATABASE_URL one as one process:
      // kill -9 of either shape loses nothing acknowledged.
      CAPIG_WORKERS: embeddedPostgres ? '2' : '1',
      ...(database ? { DATABASE_URL: database.url } : { DATABASE_URL: '' }),
    });

    /** Starts `capig start` in a child process and resolves with its URL from the startup log line. */
    function startChild(): Promise<string> {
      return new Promise((resolve, reject) => {
        const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
          env: env(),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child = proc;
        let buffered = '';
        let stderr = '';
        proc.stderr?.on('data', (d) => {
          stderr += d;
        });
        proc.stdout?.on('data', (d: Buffer) => {
          buffered += d.toString();
          for (const line of buffered.split('\n')) {
            if (line.includes('"gateway started"')) resolve(JSON.parse(line).url);
          }
        });
        proc.on('exit', (code) => reject(new Error(`gateway exited early with ${code}: ${stderr.slice(-2000)}`)));
      });
    }

    /** Connects a pixel the way an operator would, before the gateway runs (the CLI, on the database the gateway will use). */
    async function setUpPixel(): Promise<{ pixelId: string; accessKey: string }> {
      const config = loadConfig(env());
      const setupDb = await openDatabase(config, createLogger('silent'));
      await migrate(setupDb);
      const accounts = createAccountsRepo(setupDb, createSecretBox(TEST_SECRET));
      const pixelId = `7${Date.now()}`;
      const tenantId = `crash${pixelId}`;
      await accounts.createTenant({ id: tenantId, name: 'Crash test' });
      const { accessKey } = await accounts.addPixel({ pixelId, tenantId, accessToken: 'crash-token' });
      await setupDb.close();
      return { pixelId, accessKey };
    }

    /** Loads the gateway until enough events are acknowledged, then sends it the signal. */
    async function stopUnderLoad(signal: 'SIGKILL' | 'SIGTERM') {
      const { pixelId, accessKey } = await setUpPixel();
      // Meta is slow, so plenty of acknowledged events are still queued when the process stops.
      fake.addFault({ pixel_id: pixelId, kind: 'latency', latency_ms: 300 });
      const url = await startChild();
      const proc = child as ChildProcess;
      const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

      const acked = new Set<string>();
      let stop = false;
      const senders = Array.from({ length: 8 }, async () => {
        while (!stop) {
          const data = Array.from({ length: 5 }, () =>
            serverEvent({ event_id: `crash-${randomBytes(8).toString('hex')}` }),
          );
          try {
            const res = await fetch(`${url}/capi/${pixelId}/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${accessKey}` },
              body: JSON.stringify({ data }),
            });
            if (res.status === 200) for (const e of data) acked.add(e.event_id as string);
            await res.arrayBuffer();
          } catch {
            // The connection died with the process: those events were not acknowledged.
          }
        }
      });
      await waitFor(() => acked.size >= 400, 'events acknowledged before the stop', 30_000);
      proc.kill(signal);
      const code = await exited;
      stop = true;
      await Promise.all(senders);
      const deliveredBefore = new Set(fake.events(pixelId).map((e) => (e.event as any).event_id));
      fake.clearFaults();
      return { pixelId, acked, code, deliveredBefore };
    }

    async function expectAllDeliveredAfterRestart(pixelId: string, acked: Set<string>) {
      await startChild();
      await waitFor(
        () => {
          const delivered = new Set(fake.events(pixelId).map((e) => (e.event as any).event_id));
          return [...acked].every((id) => delivered.has(id));
        },
        'all acknowledged events delivered after restart',
        60_000,
      );
      const sent = fake.events(pixelId).map((e) => (e.event as any).event_id as string);
      child?.kill('SIGTERM');
      await new Promise((r) => child?.once('exit', r));
      return sent.length - new Set(sent).size;
    }

    test('every acknowledged event is published after kill -9 and restart', { timeout: 120_000 }, async () => {
      const { pixelId, acked, deliveredBefore } = await stopUnderLoad('SIGKILL');
      assert.ok(deliveredBefore.size < acked.size, 'the crash left acknowledged events undelivered');
      const twice = await expectAllDeliveredAfterRestart(pixelId, acked);
      console.log(`kill -9: ${acked.size} acknowledged, all delivered; ${twice} sent twice (Meta dedups by event_id)`);
    });

    test('SIGTERM under load: a clean exit, and nothing acknowledged is lost', { timeout: 120_000 }, async () => {
      const { pixelId, acked, code } = await stopUnderLoad('SIGTERM');
      assert.equal(code, 0, 'graceful shutdown exits 0');
      const twice = await expectAllDeliveredAfterRestart(pixelId, acked);
      assert.equal(twice, 0, 'in-flight batches were finished or released, not sent again');
    });
  });
}

/** Stops a server the killed gateway left behind (fast shutdown), so the test leaves nothing running. */
async function stopServer(pgDir: string): Promise<void> {
  const text = await readFile(join(pgDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  await waitFor(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, 'the left-over server stops');
}
