import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createIngressDomainsRepo } from '../../src/database/repos/ingress-domains-repo.js';
import { browserEvent, serverEvent, startTestGateway, type TestGateway, waitFor } from '../harness.js';
import { freePort } from '../net.js';

// The ops listener (CAPIG_OPS_PORT): /metrics counts what was sent, per pixel and account, in a
// format promtool accepts and a real Prometheus scrapes; the probes; the TLS `ask` endpoint.

const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS = '/usr/bin/prometheus';
/** Missing Prometheus fails in CI (.ci/run installs it) and skips elsewhere, with the hint. */
function prometheusSkipped(): string | false {
  if (existsSync(PROMTOOL) && existsSync(PROMETHEUS)) return false;
  const hint = 'Prometheus and promtool are missing: apt-get install -y prometheus';
  if (process.env.CI === 'true' || process.env.CI === '1') return false;
  return hint;
}

/** The value of one sample in a text exposition, or null. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return null;
}

describe('the ops listener', () => {
  let gw: TestGateway;
  let ops: string;
  type Pixel = { pixelId: string; tenantId: string; accessKey: string };
  const px = {} as { web: Pixel; server: Pixel; down: Pixel };

  before(async () => {
    gw = await startTestGateway({ env: { CAPIG_OPS_PORT: '0', CAPIG_PUBLIC_URL: 'https://gateway.agency.example' } });
    ops = gw.gateway.opsUrl as string;
    px.web = await gw.addPixel();
    px.server = await gw.addPixel();
    px.down = await gw.addPixel();
    // Meta is down for this pixel: its event stays queued.
    gw.fake.addFault({ pixel_id: px.down.pixelId, kind: 'http_status', status: 503 });

    const dup = browserEvent(px.web.pixelId);
    for (const e of [dup, dup, browserEvent(px.web.pixelId), browserEvent(px.web.pixelId)]) {
      assert.equal((await gw.postBrowser(e)).status, 200);
    }
    // Meta refuses one event name of this pixel for good: that event is dead-lettered.
    gw.fake.addFault({ pixel_id: px.server.pixelId, kind: 'graph_error', code: 100, match_event_name: 'Poison' });
    const sent = await gw.postServer(
      px.server.pixelId,
      { data: [serverEvent(), serverEvent(), serverEvent({ event_name: 'Poison' })] },
      px.server.accessKey,
    );
    assert.equal(sent.status, 200);
    await gw.postServer(px.down.pixelId, { data: [serverEvent()] }, px.down.accessKey);
    await waitFor(
      async () =>
        gw.fake.events(px.web.pixelId).length === 3 &&
        gw.fake.events(px.server.pixelId).length === 2 &&
        (await gw.gateway.db.query('SELECT 1 FROM dead_letters')).length === 1,
      'events delivered and the poison one dead-lettered',
    );
  });
  after(() => gw?.stop());

  test('is off unless CAPIG_OPS_PORT is set, and never on the public port', async () => {
    assert.notEqual(new URL(ops).port, new URL(gw.url).port);
    assert.equal((await fetch(`${gw.url}/metrics`)).status, 404);
    assert.equal(new URL(ops).hostname, '127.0.0.1', 'bound to the loopback by default');
  });

  test('/metrics counts what was received, dropped, published and queued, per pixel and account', async () => {
    // The refused pixel's first attempt may still be on its way.
    await waitFor(async () => {
      const text = await (await fetch(`${ops}/metrics`)).text();
      return (sample(text, 'capig_publish_request_duration_seconds_count', { outcome: 'http_5xx' }) ?? 0) >= 1;
    }, 'a request Meta answered 503');
    const res = await fetch(`${ops}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    const web = { pixel_id: px.web.pixelId, account_id: px.web.tenantId };
    const server = { pixel_id: px.server.pixelId, account_id: px.server.tenantId };
    const down = { pixel_id: px.down.pixelId, account_id: px.down.tenantId };
    assert.equal(sample(text, 'capig_events_received_total', web), 4);
    assert.equal(sample(text, 'capig_events_dropped_total', { ...web, reason: 'duplicate' }), 1);
    assert.equal(sample(text, 'capig_events_published_total', web), 3);
    assert.equal(sample(text, 'capig_events_received_total', server), 3);
    assert.equal(sample(text, 'capig_events_published_total', server), 2);
    assert.equal(sample(text, 'capig_events_dead_lettered_total', server), 1);
    assert.equal(
      sample(text, 'capig_events_published_total', down),
      null,
      'nothing published for the pixel Meta refuses',
    );
    assert.equal(sample(text, 'capig_queue_depth', down), 1);
    const age = sample(text, 'capig_queue_oldest_age_seconds', down) ?? -1;
    assert.ok(age >= 0, `oldest age ${age}`);
    assert.equal(sample(text, 'capig_queue_depth', web), null, 'a drained pixel has no queue');
    const okCount = sample(text, 'capig_publish_request_duration_seconds_count', { outcome: 'ok' }) ?? 0;
    assert.ok(okCount >= 2, `requests answered ok: ${okCount}`);
    const failed = sample(text, 'capig_publish_request_duration_seconds_count', { outcome: 'http_5xx' }) ?? 0;
    assert.ok(
      failed >= 1,
      `requests answered 5xx: ${failed}\n${text
        .split('\n')
        .filter((l) => l.startsWith('capig_publish'))
        .join('\n')}`,
    );
    assert.equal(sample(text, 'capig_http_requests_total', { route: '/events', status: '200' }), 4);
    assert.equal(sample(text, 'capig_http_requests_total', { route: '/capi/:pixelId/events', status: '200' }), 2);
    assert.notEqual(sample(text, 'process_cpu_seconds_total', {}), null, 'the default process metrics');
  });

  test('promtool accepts the exposition', { skip: prometheusSkipped() }, async () => {
    const text = await (await fetch(`${ops}/metrics`)).text();
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  test('a real Prometheus scrapes it and sees the same counts', {
    skip: prometheusSkipped(),
    timeout: 60_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capig-prom-'));
    const port = await freePort();
    const target = new URL(ops).host;
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: capig\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const prom: ChildProcess = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    try {
      const query = `capig_events_published_total{pixel_id="${px.server.pixelId}"}`;
      let value: string | null = null;
      await waitFor(
        async () => {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`);
            const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
            value = body.data?.result?.[0]?.value[1] ?? null;
          } catch {
            value = null;
          }
          return value !== null;
        },
        'Prometheus to scrape the gateway',
        30_000,
      );
      assert.equal(value, '2');
    } finally {
      prom.kill('SIGTERM');
      await new Promise((r) => prom.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('/health/live and /health/ready', async () => {
    assert.equal((await fetch(`${ops}/health/live`)).status, 200);
    const ready = await fetch(`${ops}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ok',
      checks: { database: 'ok', migrations: 'ok', publisher: 'running' },
    });
  });

  test("/tls/allowed answers Caddy's ask: active first-party domains and the public host only", async () => {
    const repo = createIngressDomainsRepo(gw.gateway.db);
    assert.equal(await repo.upsert([px.web.tenantId], px.web.tenantId, 'capig.shop.example', 'shop.example'), 'ok');
    const ask = (domain: string) => fetch(`${ops}/tls/allowed?domain=${encodeURIComponent(domain)}`);
    assert.equal((await ask('capig.shop.example')).status, 200);
    assert.equal((await ask('CAPIG.Shop.Example.')).status, 200, 'case and a trailing dot do not matter');
    assert.equal((await ask('gateway.agency.example')).status, 200, "CAPIG_PUBLIC_URL's host");
    assert.equal((await ask('other.example')).status, 404);
    assert.equal((await ask('bad name!')).status, 400);
    assert.equal((await fetch(`${ops}/tls/allowed`)).status, 400);
  });
});
