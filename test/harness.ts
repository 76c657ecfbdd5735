import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import type { CnameLookup } from '../src/control-plane/dns.js';
import type { Db } from '../src/database/db.js';
import { migrate } from '../src/database/migrate.js';
import { insertPixelPipeline } from '../src/database/repos/signal-configs-repo.js';
import { openPostgresDb } from '../src/database/postgres-db.js';
import { type FakeGraph, startFakeGraph } from '../src/fake-graph/fake-graph-server.js';
import { type Gateway, startGateway } from '../src/main.js';
import { createLogger } from '../src/platform/logger.js';

// Starts a real gateway on a real PostgreSQL database, publishing to a real fake Graph API server.
// The server is CAPIG_TEST_DATABASE_URL: npm test starts an embedded one for the run (the default
// engine), npm run test:pg names the machine's. Each gateway gets a fresh database on it.

const SERVER_URL = process.env.CAPIG_TEST_DATABASE_URL;
if (!SERVER_URL) {
  throw new Error('CAPIG_TEST_DATABASE_URL is not set: run the tests with npm test (or npm run test:pg)');
}
export const TEST_DATABASE_URL: string = SERVER_URL;
export const TEST_SECRET = 'test-secret-key-0123456789abcdef';

export interface TestGateway {
  gateway: Gateway;
  fake: FakeGraph;
  url: string;
  addPixel(p?: { tenantId?: string; pixelId?: string; token?: string }): Promise<TestPixel>;
  postBrowser(body: unknown, headers?: Record<string, string>): Promise<Response>;
  postServer(pixelId: string, body: unknown, accessKey?: string | null): Promise<Response>;
  stop(): Promise<void>;
}

export interface TestPixel {
  tenantId: string;
  pixelId: string;
  accessKey: string;
  token: string;
}

export interface TestGatewayOptions {
  env?: Record<string, string>;
  /** Share a fake between gateways (it is then not closed by stop()). */
  fake?: FakeGraph;
  /** Reuse a database (PostgreSQL URL) instead of a fresh one; for multi-instance tests. */
  databaseUrl?: string;
  /** Collects every log line the gateway writes (the level comes from env LOG_LEVEL). */
  logLines?: string[];
  /** A fake DNS for data-routing (CNAME) checks. */
  lookupCname?: CnameLookup;
  /** The gateway's own embedded PostgreSQL server in its data directory, in both suites. */
  onDisk?: boolean;
  /** The data directory to use (created when missing) instead of a fresh temporary one. */
  dataDir?: string;
}

export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const fake = opts.fake ?? (await startFakeGraph());
  const db = opts.onDisk
    ? null
    : opts.databaseUrl
      ? { url: opts.databaseUrl, drop: async () => undefined }
      : await createTestDatabase(TEST_DATABASE_URL);
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'capig-test-')));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    CAPIG_DATA_DIR: dataDir,
    CAPIG_SECRET_KEY: TEST_SECRET,
    CAPIG_GRAPH_API_URL: fake.url,
    CAPIG_GRAPH_TIMEOUT_MS: '2000',
    CAPIG_PUBLISH_MAX_WAIT_MS: '50',
    CAPIG_PUBLISH_RETRY_BASE_MS: '100',
    CAPIG_PUBLISH_RETRY_MAX_MS: '2000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...opts.env,
  });
  const gateway = await startGateway(config, {
    log: createLogger(
      config.log.level,
      opts.logLines ? { write: (line: string) => void opts.logLines?.push(line) } : undefined,
    ),
    ...(opts.lookupCname ? { lookupCname: opts.lookupCname } : {}),
  }).catch(async (err: unknown) => {
    // A gateway that fails to start leaves nothing behind: tests of start errors end cleanly.
    if (!opts.fake) await fake.close();
    await db?.drop();
    if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  let pixelSeq = 0;
  const tenants = new Set<string>();
  return {
    gateway,
    fake,
    url: gateway.url,
    async addPixel(p = {}) {
      const tenantId = p.tenantId ?? `t${randomBytes(4).toString('hex')}`;
      if (!tenants.has(tenantId)) {
        await gateway.accounts.createTenant({ id: tenantId, name: `Account ${tenantId}` });
        tenants.add(tenantId);
      }
      const pixelId = p.pixelId ?? `${Date.now()}${pixelSeq++}${Math.floor(Math.random() * 1000)}`;
      const token = p.token ?? `token-${pixelId}`;
      const { accessKey } = await gateway.accounts.addPixel({
        pixelId,
        tenantId,
        accessToken: token,
        name: 'Test pixel',
      });
      // As setupPixelSignalConfig does: the pixel with its Meta CAPI pipeline.
      await insertPixelPipeline(gateway.db, { tenantId, pixelId, sourceName: 'Test pixel' });
      return { tenantId, pixelId, accessKey, token };
    },
    postBrowser(body, headers = {}) {
      return fetch(`${gateway.url}/events`, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain;charset=UTF-8',
          'user-agent': 'Mozilla/5.0 (Test) Chrome/140',
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    postServer(pixelId, body, accessKey) {
      return fetch(`${gateway.url}/capi/${pixelId}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(accessKey ? { authorization: `Bearer ${accessKey}` } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async stop() {
      await gateway.stop();
      if (!opts.fake) await fake.close();
      await db?.drop();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the test server, dropped by drop(). */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `capig_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A migrated, empty database without a gateway, on the suite's server; close() also drops it. */
export async function openTestDatabase(): Promise<{ db: Db; close(): Promise<void> }> {
  const created = await createTestDatabase(TEST_DATABASE_URL);
  const db = openPostgresDb(created.url);
  await migrate(db);
  return {
    db,
    async close() {
      await db.close();
      await created.drop();
    },
  };
}

/** A browser event as the Meta Pixel's gateway plugin posts it. */
export function browserEvent(pixelId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_name: 'PageView',
    event_id: `ob3_plugin-set_${randomBytes(32).toString('hex')}`,
    'fb.pixel_id': pixelId,
    custom_data: {},
    'fb.dynamic_product_ads': {},
    conversion_value: {},
    'fb.advanced_matching': {},
    'fb.fbp': `fb.1.${Date.now()}.1234567890`,
    'plugin.oneTrustId': '',
    website_context: { location: 'https://shop.example.com/product/1', referrer: '', isInIFrame: false },
    event_meta_info: {},
    ...overrides,
  };
}

/** A Conversions API server event. */
export function serverEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_name: 'Purchase',
    event_time: Math.floor(Date.now() / 1000),
    event_id: `order-${randomBytes(6).toString('hex')}`,
    action_source: 'website',
    event_source_url: 'https://shop.example.com/checkout',
    user_data: {
      em: 'John_Smith@gmail.com',
      client_user_agent: 'Mozilla/5.0 (Server)',
      client_ip_address: '203.0.113.7',
    },
    custom_data: { value: 42.5, currency: 'USD' },
    ...overrides,
  };
}

/** Polls until check() holds; fails with what was awaited after timeoutMs. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
