import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { type Gateway, startGateway } from '../../src/main.js';
import { createLogger } from '../../src/platform/logger.js';
import { runCli } from '../cli.js';
import { createTestDatabase, TEST_DATABASE_URL, TEST_SECRET } from '../harness.js';

// Bootstrap of a fresh install from a shell: `capig admin create` and `capig api-account create`,
// then the gateway started on that database accepts both.

function capig(args: string[], env: Record<string, string>) {
  return runCli(args, { ...process.env, LOG_LEVEL: 'silent', ...env });
}

describe('cli: bootstrap', { timeout: 180_000 }, () => {
  let dataDir: string;
  let env: Record<string, string>;
  let dropDb: (() => Promise<void>) | null = null;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'capig-cli-'));
    env = { CAPIG_DATA_DIR: dataDir };
    if (TEST_DATABASE_URL) {
      const db = await createTestDatabase(TEST_DATABASE_URL);
      dropDb = db.drop;
      env = { ...env, DATABASE_URL: db.url, CAPIG_SECRET_KEY: TEST_SECRET };
    }
  });
  after(async () => {
    await dropDb?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('admin create, api-account create, then the gateway accepts both', async () => {
    const admin = await capig(
      ['admin', 'create', '--email', 'Admin@Example.com', '--password', 'a-long-password'],
      env,
    );
    assert.equal(admin.code, 0, admin.stderr);
    assert.equal(JSON.parse(admin.stdout).email, 'admin@example.com');

    const again = await capig(
      ['admin', 'create', '--email', 'admin@example.com', '--password', 'another-password'],
      env,
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /a user with the email admin@example\.com already exists/);

    const weak = await capig(['admin', 'create', '--email', 'b@example.com', '--password', 'short'], env);
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /at least 10 characters/);

    const api = await capig(['api-account', 'create', '--name', 'Partner1'], env);
    assert.equal(api.code, 0, api.stderr);
    const credentials = JSON.parse(api.stdout) as { client_id: string; client_secret: string };
    assert.deepEqual(Object.keys(credentials), ['client_id', 'client_secret']);
    assert.equal(credentials.client_id, 'Partner1');

    const dup = await capig(['api-account', 'create', '--name', 'Partner1'], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);
    assert.equal((await capig(['api-account', 'create', '--name', 'bad name'], env)).code, 2);

    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CAPIG_PUBLISH: 'off', ...env });
    const gateway: Gateway = await startGateway(config, { log: createLogger('silent') });
    try {
      const login = await fetch(`${gateway.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: 'a-long-password' }),
      });
      assert.equal(login.status, 200);
      const token = await fetch(`${gateway.url}/clients/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...credentials, grant_type: 'client_credentials' }),
      });
      assert.equal(token.status, 200);
      const setup = await fetch(`${gateway.url}/auth/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'late@example.com', password: 'a-long-password' }),
      });
      assert.equal(setup.status, 409, 'the web set-up is closed once an admin exists');
    } finally {
      await gateway.stop();
    }
  });

  test('fake-graph refuses bad flags with every problem listed', async () => {
    const bad = await capig(['fake-graph', '--port', '70000', '--record-limit=-1'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--port must be a number from 0 to 65535/);
    assert.match(bad.stderr, /--record-limit must be a whole number, 0 or more/);
    const unknown = await capig(['fake-graph', '--records', '5'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--records'/);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /, 'no stack trace for a mistyped flag');
  });
});
