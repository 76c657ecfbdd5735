import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeGraph } from '../../src/fake-graph/fake-graph-server.js';
import { CLI, runCli } from '../cli.js';
import { browserEvent, createTestDatabase, serverEvent, TEST_DATABASE_URL, TEST_SECRET, waitFor } from '../harness.js';

// `capig start` with CAPIG_WORKERS=2: a primary (database, publisher) and two HTTP workers on one
// port. Every request below opens its own connection, so the cluster spreads them over both
// workers. What one worker learns (a pixel switched off, an API account deleted, what a rate limit
// admitted) holds on the other at once, not after its caches expire.

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** One request on its own connection. */
function send(url: string, path: string, init: { method?: string; body?: string; headers?: Record<string, string> }) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: init.method ?? 'POST', agent: false, headers: { connection: 'close', ...init.headers } },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('two worker processes (CAPIG_WORKERS=2)', { timeout: 180_000 }, () => {
  let fake: Awaited<ReturnType<typeof startFakeGraph>>;
  let database: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let child: ChildProcess | null = null;
  let url = '';
  let opsUrl = '';
  const workerPids = new Set<number>();
  let env: Record<string, string>;
  const pixels: Record<string, { pixelId: string; accessKey: string }> = {};
  let admin: { cookie: string; csrf: string };
  let api: { token: string; name: string };

  before(async () => {
    fake = await startFakeGraph();
    database = await createTestDatabase(TEST_DATABASE_URL);
    dataDir = await mkdtemp(join(tmpdir(), 'capig-workers-'));
    env = {
      ...(process.env as Record<string, string>),
      DATABASE_URL: database.url,
      CAPIG_SECRET_KEY: TEST_SECRET,
      CAPIG_DATA_DIR: dataDir,
      CAPIG_GRAPH_API_URL: fake.url,
      CAPIG_PUBLISH_MAX_WAIT_MS: '50',
      CAPIG_WORKERS: '2',
      CAPIG_RATE_LIMIT_ACCOUNT: '100', // burst 500
      CAPIG_OPS_PORT: '0',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
    for (const name of ['shared', 'switched', 'limited']) {
      const pixelId = `5${Date.now()}${Math.floor(Math.random() * 1000)}`;
      const out = await runCli(
        ['pixel', 'add', '--account', name, '--pixel-id', pixelId, '--access-token', `token-${name}`],
        env,
      );
      assert.equal(out.code, 0, out.stderr);
      pixels[name] = { pixelId, accessKey: JSON.parse(out.stdout.trim().split('\n').pop() as string).access_key };
    }
    assert.equal(
      (await runCli(['admin', 'create', '--email', 'ops@example.com', '--password', 'pw-0123456789'], env)).code,
      0,
    );
    const created = await runCli(['api-account', 'create', '--name', 'partner'], env);
    assert.equal(created.code, 0, created.stderr);

    child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child?.stderr?.on('data', (d) => {
        err += d;
      });
      child?.stdout?.on('data', (d) => {
        out += d;
        for (const line of out.split('\n')) {
          if (!line.startsWith('{')) continue;
          const entry = JSON.parse(line);
          if (entry.worker) workerPids.add(entry.worker);
          if (entry.msg === 'gateway started') {
            opsUrl = entry.ops;
            resolve(entry.url);
          }
        }
      });
      child?.on('exit', (code) => reject(new Error(`capig start exited with ${code}: ${err.slice(-2000)}`)));
    });

    const login = await send(url, '/auth/login', {
      body: JSON.stringify({ email: 'ops@example.com', password: 'pw-0123456789' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(login.status, 200);
    const cookies = Object.fromEntries(
      (login.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]?.split('=') as [string, string]),
    );
    admin = {
      cookie: `capig_session=${cookies.capig_session}; capig_csrf=${cookies.capig_csrf}`,
      csrf: cookies.capig_csrf as string,
    };
    const { client_secret } = JSON.parse(created.stdout);
    const token = await send(url, '/clients/token', {
      body: JSON.stringify({ client_id: 'partner', client_secret, grant_type: 'client_credentials' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(token.status, 200);
    api = { token: token.body.access_token, name: 'partner' };
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await fake?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const gql = (query: string, variables: Record<string, unknown>, auth: Record<string, string>, path = 'hub') =>
    send(url, `/${path}/graphql/`, {
      body: JSON.stringify({ query, variables }),
      headers: { 'content-type': 'application/json', ...auth },
    });
  const asAdmin = () => ({ cookie: admin.cookie, 'x-csrf-token': admin.csrf });

  test('both workers serve, and every acknowledged event reaches Meta once', async () => {
    assert.equal(workerPids.size, 2, 'two worker processes listen');
    const { pixelId, accessKey } = pixels.shared as { pixelId: string; accessKey: string };
    const sent = Array.from({ length: 60 }, () => serverEvent());
    const answers = await Promise.all(
      sent.map((e) =>
        send(url, `/capi/${pixelId}/events`, {
          body: JSON.stringify({ data: [e] }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${accessKey}` },
        }),
      ),
    );
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    await waitFor(() => fake.events(pixelId).length >= sent.length, 'every event delivered', 30_000);
    const ids = fake.events(pixelId).map((r) => r.event.event_id);
    assert.equal(ids.length, sent.length, 'none delivered twice');
    assert.deepEqual(new Set(ids), new Set(sent.map((e) => e.event_id)));

    // The primary's /metrics adds up what each worker received and what it published itself.
    const metrics = await (await fetch(`${opsUrl}/metrics`)).text();
    const count = (name: string) =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`) && l.includes(`pixel_id="${pixelId}"`))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    assert.equal(count('capig_events_received_total'), sent.length);
    assert.equal(count('capig_events_published_total'), sent.length);
  });

  test('a pixel switched off through one worker is off on every worker at once', async () => {
    const { pixelId } = pixels.switched as { pixelId: string };
    const post = () =>
      send(url, '/events', {
        body: JSON.stringify(browserEvent(pixelId)),
        headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': 'Mozilla/5.0 (Test) Chrome/140' },
      });
    // Both workers have the pixel's settings cached.
    for (const a of await Promise.all(Array.from({ length: 10 }, post))) assert.equal(a.status, 200);
    const off = await gql(
      `mutation ($id: ID!, $tenantId: ID!) { tenantMutations(tenantId: $tenantId) { signalMutations {
         updateSignalConfigEventsStatus(id: $id, input: { status: 0 }) { success } } } }`,
      { id: pixelId, tenantId: 'switched' },
      asAdmin(),
      'capig',
    );
    assert.equal(
      off.body.data?.tenantMutations.signalMutations.updateSignalConfigEventsStatus.success,
      true,
      JSON.stringify(off.body),
    );
    const after = await Promise.all(Array.from({ length: 10 }, post));
    assert.deepEqual(
      after.map((a) => a.body.dropped),
      after.map(() => ({ receiving_disabled: 1 })),
    );
  });

  test('an API account deleted through one worker is refused by every worker at once', async () => {
    const bearer = { authorization: `Bearer ${api.token}` };
    for (const a of await Promise.all(Array.from({ length: 6 }, () => gql('{ tenants { id } }', {}, bearer)))) {
      assert.equal(a.status, 200);
    }
    const list = await gql('{ apiAccounts { id name } }', {}, asAdmin());
    const id = list.body.data.apiAccounts.find((a: { name: string }) => a.name === api.name).id;
    const del = await gql(
      'mutation ($id: String!) { apiAccountMutations { deleteApiAccount(id: $id) } }',
      { id },
      asAdmin(),
    );
    assert.equal(del.body.data?.apiAccountMutations.deleteApiAccount, true, JSON.stringify(del.body));
    const after = await Promise.all(Array.from({ length: 6 }, () => gql('{ tenants { id } }', {}, bearer)));
    assert.deepEqual(
      after.map((a) => a.status),
      after.map(() => 401),
    );
  });

  test("an account's rate limit holds for the workers together", async () => {
    const { pixelId, accessKey } = pixels.limited as { pixelId: string; accessKey: string };
    // 50 events a request, every 20 ms for about 3 s: 7,500 offered at a limit of 100/s, burst 500.
    let admitted = 0;
    const started = Date.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < 150; i++) {
      inFlight.push(
        send(url, `/capi/${pixelId}/events`, {
          body: JSON.stringify({ data: Array.from({ length: 50 }, () => serverEvent()) }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${accessKey}` },
        }).then((a) => {
          if (a.status === 200) admitted += 50;
          else assert.equal(a.status, 429);
        }),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(inFlight);
    const seconds = (Date.now() - started) / 1000;
    const allowed = 500 + 100 * seconds;
    // Each worker on its own would have admitted about `allowed`, twice that together.
    assert.ok(admitted >= 500, `admitted ${admitted}`);
    assert.ok(
      admitted <= allowed + 250,
      `admitted ${admitted} in ${seconds.toFixed(1)} s, allowed ${allowed.toFixed(0)}`,
    );
  });
});
