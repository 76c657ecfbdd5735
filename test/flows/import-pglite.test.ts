import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashSecret } from '../../src/control-plane/auth/passwords.js';
import { openPgliteDirectory } from '../../src/database/import-pglite.js';
import { migrate } from '../../src/database/migrate.js';
import { createAccountsRepo } from '../../src/database/repos/accounts-repo.js';
import { createApiAccountsRepo } from '../../src/database/repos/api-accounts-repo.js';
import { createUsersRepo, HOST_SCOPE, USER_ACTIVE } from '../../src/database/repos/users-repo.js';
import { startFakeGraph } from '../../src/fake-graph/fake-graph-server.js';
import { createSecretBox } from '../../src/platform/secret-box.js';
import { createEventQueue } from '../../src/queue/event-queue.js';
import { serverEvent, startTestGateway, TEST_SECRET, waitFor } from '../harness.js';

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
  // Queued as the pipeline leaves them: customer information hashed.
  const stored = (extra: Record<string, unknown> = {}) =>
    serverEvent({
      user_data: { em: [createHash('sha256').update('buyer@example.com').digest('hex')], client_user_agent: 'UA' },
      ...extra,
    });
  const poison = stored({ event_name: 'Poison' });
  const queued = Array.from({ length: 30 }, () => stored());
  let px: { pixelId: string; accessKey: string } = { pixelId: '', accessKey: '' };
  try {
    // The former release's directory: PGlite on disk, written by the same repositories and queue
    // SQL the former release ran on it (a pixel with its encrypted token, a dead letter Meta
    // refused, 30 events still queued, a person and an API account).
    await mkdir(dataDir, { mode: 0o700 });
    const old = await openPgliteDirectory(join(dataDir, 'pglite'));
    const pixelId = `9${Date.now()}`;
    let person: { email: string; password: string };
    let api: { secret: string };
    try {
      // The former release's schema: up to migration 0004 (0005 makes pipelines at the import).
      await migrate(old, { upTo: 4 });
      const accounts = createAccountsRepo(old, createSecretBox(TEST_SECRET));
      await accounts.createTenant({ id: 'imported', name: 'Imported account' });
      const { accessKey } = await accounts.addPixel({ pixelId, tenantId: 'imported', accessToken: 'old-token' });
      px = { pixelId, accessKey };
      const enqueue = (events: Record<string, unknown>[]) =>
        old.query(
          `INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time)
           SELECT $1, 'imported', e, e->>'event_name', (e->>'event_time')::int8 FROM jsonb_array_elements($2::jsonb) e`,
          [pixelId, JSON.stringify(events)],
        );
      await enqueue([poison]);
      const queue = createEventQueue(old);
      const [claimed] = await queue.claim(pixelId, 10, 60_000);
      assert.ok(claimed);
      await queue.deadLetter([
        {
          event: claimed,
          reason: 'rejected',
          errorCode: 100,
          errorSubcode: null,
          errorMessage: 'bad',
          fbtraceId: null,
        },
      ]);
      await enqueue(queued);
      const password = 'imported-password-1';
      const users = createUsersRepo(old);
      const userId = await users.create({
        email: 'imported@example.com',
        status: USER_ACTIVE,
        passwordHash: await hashSecret(password),
      });
      await users.grant(userId, HOST_SCOPE, 'admin');
      person = { email: 'imported@example.com', password };
      api = await createApiAccountsRepo(old).create('imported-client', null);
    } finally {
      await old.close();
    }

    // The new release on the same directory.
    const lines: string[] = [];
    const gw = await startTestGateway({
      onDisk: true,
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
      // The imported pixel connection is a Meta CAPI pipeline, as migration 0005 makes every one.
      const pipelines = await gw.gateway.db.query<{ type: string; pixel_id: string }>(
        'SELECT type, pixel_id FROM pipelines',
      );
      assert.deepEqual(pipelines, [{ type: 'META_CAPI_PIPELINE', pixel_id: px.pixelId }]);
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
    const again = await startTestGateway({ onDisk: true, dataDir, fake, env: { LOG_LEVEL: 'info' } });
    const [count] = await again.gateway.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM dead_letters');
    assert.equal(count?.n, 1);
    await again.stop();
  } finally {
    await fake.close();
    await rm(parent, { recursive: true, force: true });
  }
});
