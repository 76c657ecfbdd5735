import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeGraph } from '../../src/fake-graph/fake-graph-server.js';
import { createPerson } from '../control-plane/people.js';
import { serverEvent, startTestGateway, waitFor } from '../harness.js';

// An install made on PGlite moves to the embedded PostgreSQL server without losing anything: the
// queue (events Meta had not taken yet), dead letters, accounts, users, API accounts and pixels
// with their encrypted tokens arrive, and the old directory is kept aside, imported once.

test('a PGlite data directory is imported into the embedded PostgreSQL server at its first start', {
  timeout: 120_000,
}, async () => {
  const fake = await startFakeGraph();
  const parent = await mkdtemp(join(tmpdir(), 'capig-import-'));
  // Run as root, the server runs as its own user, which must be able to pass through.
  await chmod(parent, 0o711);
  const dataDir = join(parent, 'data');
  try {
    // The old release: PGlite on disk, with Meta down for one pixel and rejecting one event name.
    const old = await startTestGateway({ onDisk: true, dataDir, fake, env: { CAPIG_EMBEDDED_ENGINE: 'pglite' } });
    const px = await old.addPixel();
    fake.addFault({ pixel_id: px.pixelId, kind: 'graph_error', code: 100, match_event_name: 'Poison' });
    const poison = serverEvent({ event_name: 'Poison' });
    assert.equal((await old.postServer(px.pixelId, { data: [poison] }, px.accessKey)).status, 200);
    await waitFor(
      async () => (await old.gateway.db.query('SELECT 1 FROM dead_letters')).length === 1,
      'a dead letter',
      20_000,
    );
    fake.clearFaults();
    fake.addFault({ pixel_id: px.pixelId, kind: 'http_status', status: 503 });
    const queued = Array.from({ length: 30 }, () => serverEvent());
    assert.equal((await old.postServer(px.pixelId, { data: queued }, px.accessKey)).status, 200);
    const person = await createPerson(old, { roles: ['agency-admin'] });
    const api = await old.gateway.apiAccounts.create('imported-client', null);
    await old.stop();
    fake.clearFaults();

    // The new release on the same directory.
    const lines: string[] = [];
    const gw = await startTestGateway({
      embeddedPostgres: true,
      dataDir,
      fake,
      env: { LOG_LEVEL: 'info' },
      logLines: lines,
    });
    try {
      assert.ok(
        lines.some((l) => l.includes('imported the embedded PGlite database')),
        'a log line says what was imported',
      );
      const entries = await readdir(dataDir);
      assert.ok(!entries.includes('pglite'), 'the PGlite directory is no longer where it was');
      assert.ok(
        entries.some((e) => e.startsWith('pglite.imported-')),
        'it is kept aside',
      );

      // Queued events are delivered with the pixel's (decrypted) token.
      await waitFor(
        () => queued.every((e) => fake.events(px.pixelId).some((r) => r.event.event_id === e.event_id)),
        'every queued event reaches Meta',
        30_000,
      );
      const letters = await gw.gateway.db.query<{ event_name: string }>('SELECT event_name FROM dead_letters');
      assert.deepEqual(letters, [{ event_name: 'Poison' }]);
      // New ids continue after the imported ones.
      const fresh = await gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey);
      assert.equal(fresh.status, 200);

      const login = await fetch(`${gw.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: person.email, password: person.password }),
      });
      assert.equal(login.status, 200, 'the user signs in with the same password');
      const token = await fetch(`${gw.url}/clients/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: 'imported-client',
          client_secret: api.secret,
          grant_type: 'client_credentials',
        }),
      });
      assert.equal(token.status, 200, 'the API account works');
    } finally {
      await gw.stop();
    }

    // A second start imports nothing again.
    const again = await startTestGateway({ embeddedPostgres: true, dataDir, fake, env: { LOG_LEVEL: 'info' } });
    const [count] = await again.gateway.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM dead_letters');
    assert.equal(count?.n, 1);
    await again.stop();
  } finally {
    await fake.close();
    await rm(parent, { recursive: true, force: true });
  }
});
