import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type FakeGraph, startFakeGraph } from '../../src/fake-graph/fake-graph-server.js';
import { browserEvent, serverEvent, startTestGateway, type TestGateway, type TestPixel, waitFor } from '../harness.js';

// CAPIG_TRUST_PROXY decides which X-Forwarded-For entry is the browser: that address is the
// client_ip_address Meta receives with a browser event, and the key of the per-IP rate limit on
// both /events and /capi. Each row sends through the real HTTP stack and reads both effects.

interface Row {
  /** X-Forwarded-For as sent: one string is one header line, an array is several lines. */
  xff: string | string[] | null;
  client: string;
}

interface Setting {
  trust: string | null;
  host?: string;
  rows: Row[];
}

const SETTINGS: Setting[] = [
  { trust: null, rows: [{ xff: '198.51.100.23', client: '127.0.0.1' }] },
  { trust: 'false', rows: [{ xff: '198.51.100.23', client: '127.0.0.1' }] },
  { trust: 'true', rows: [{ xff: '203.0.113.9, 198.51.100.23', client: '203.0.113.9' }] },
  {
    trust: '1',
    rows: [
      { xff: '203.0.113.9, 198.51.100.23', client: '198.51.100.23' },
      { xff: '198.51.100.24:5555', client: '198.51.100.24' },
      { xff: '[2001:db8::17]:4711', client: '2001:db8::17' },
      { xff: '2001:db8::18', client: '2001:db8::18' },
      { xff: 'unknown', client: '127.0.0.1' },
    ],
  },
  // Each row takes its client's whole bucket, so rows of one gateway name different clients.
  { trust: '1', rows: [{ xff: null, client: '127.0.0.1' }] },
  {
    trust: '2',
    rows: [
      { xff: ['203.0.113.10', '198.51.100.25'], client: '203.0.113.10' },
      { xff: '198.51.100.26', client: '198.51.100.26' },
    ],
  },
  {
    trust: 'loopback, 198.51.100.0/24',
    rows: [
      { xff: '203.0.113.11, 198.51.100.27', client: '203.0.113.11' },
      { xff: '203.0.113.12, 192.0.2.1', client: '192.0.2.1' },
    ],
  },
  { trust: '10.0.0.0/8', rows: [{ xff: '203.0.113.13', client: '127.0.0.1' }] },
  { trust: '127.0.0.1', rows: [{ xff: '198.51.100.29', client: '198.51.100.29' }] },
  {
    trust: 'loopback, linklocal, uniquelocal',
    rows: [
      {
        xff: ['203.0.113.14, 169.254.1.1', 'fd00::1, 10.1.2.3:8080, 172.16.0.9, 192.168.1.1'],
        client: '203.0.113.14',
      },
      { xff: 'fe80::1, 10.0.0.1', client: 'fe80::1' },
    ],
  },
  {
    trust: 'loopback, 2001:db8::/32',
    rows: [
      { xff: '203.0.113.15, 2001:db8::5', client: '203.0.113.15' },
      { xff: '2001:db9::1, 2001:db8::5', client: '2001:db9::1' },
    ],
  },
  { trust: null, host: '::1', rows: [{ xff: '198.51.100.30', client: '::1' }] },
  { trust: 'loopback', host: '::1', rows: [{ xff: '198.51.100.31', client: '198.51.100.31' }] },
  { trust: '1', host: '::1', rows: [{ xff: '2001:db8::19, 198.51.100.32', client: '198.51.100.32' }] },
];

/** POST with node:http, so that several X-Forwarded-For lines go out as separate header lines. */
function post(base: string, path: string, body: unknown, headers: Record<string, string | string[]>) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(new URL(path, base), { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('CAPIG_TRUST_PROXY: the client address Meta receives and the rate limiter keys on', () => {
  let fake: FakeGraph;
  before(async () => {
    fake = await startFakeGraph();
  });
  after(() => fake.close());

  for (const setting of SETTINGS) {
    const label = `${setting.trust ?? 'unset'}${setting.host ? ` (listening on ${setting.host})` : ''}`;
    test(`CAPIG_TRUST_PROXY=${label}: ${setting.rows.map((r) => JSON.stringify(r.xff)).join(' | ')}`, async () => {
      const env: Record<string, string> = { CAPIG_RATE_LIMIT_IP: '1' };
      if (setting.trust !== null) env.CAPIG_TRUST_PROXY = setting.trust;
      if (setting.host) env.HOST = setting.host;
      const gw: TestGateway = await startTestGateway({ env, fake });
      try {
        const px: TestPixel = await gw.addPixel();
        for (const row of setting.rows) await checkRow(gw, px, row);
      } finally {
        await gw.stop();
      }
    });
  }

  async function checkRow(gw: TestGateway, px: TestPixel, row: Row) {
    const what = `X-Forwarded-For ${JSON.stringify(row.xff)}`;
    const headers: Record<string, string | string[]> = row.xff === null ? {} : { 'x-forwarded-for': row.xff };
    const event = browserEvent(px.pixelId);
    const sent = await post(gw.url, '/events', event, {
      ...headers,
      'content-type': 'text/plain',
      'user-agent': 'Mozilla/5.0 (Test) Chrome/140',
    });
    assert.equal(sent.status, 200, `${what}: ${JSON.stringify(sent.body)}`);
    const mine = () => fake.events(px.pixelId).find((e) => e.event.event_id === event.event_id);
    await waitFor(() => mine() !== undefined, `${what}: the browser event reaches the fake Graph API`);
    const userData = mine()?.event.user_data as Record<string, unknown> | undefined;
    assert.equal(userData?.client_ip_address, row.client, what);

    // Spend the address's bucket (burst 5 at 1/s) on /capi; the refusal names the key it used.
    let refused: { status: number; body: any } | null = null;
    for (let i = 0; i < 20 && !refused; i++) {
      const r = await post(
        gw.url,
        `/capi/${px.pixelId}/events`,
        { data: [serverEvent()], accessKey: px.accessKey },
        {
          ...headers,
          'content-type': 'application/json',
        },
      );
      if (r.status === 429) refused = r;
      else assert.equal(r.status, 200, `${what}: ${JSON.stringify(r.body)}`);
    }
    assert.ok(refused, `${what}: the per-IP limit refused a request`);
    assert.equal(refused.body.error.message.split(';')[0], `too many requests from ${row.client}`, what);
  }
});
