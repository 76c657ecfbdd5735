import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserEvent, serverEvent, startTestGateway, waitFor } from '../harness.js';

// Limits that keep one client or one account from taking the gateway for itself: 429 with
// Retry-After and Meta's rate-limit code, nothing stored, everyone else unaffected.
describe('ingest rate limits', () => {
  test('per account: a burst beyond the limit is refused whole; another account is not slowed', async () => {
    const gw = await startTestGateway({ env: { CAPIG_RATE_LIMIT_ACCOUNT: '20' } }); // burst 100
    try {
      const noisy = await gw.addPixel();
      const quiet = await gw.addPixel();
      const batch = (n: number) => ({ data: Array.from({ length: n }, () => serverEvent()) });
      assert.equal((await gw.postServer(noisy.pixelId, batch(100), noisy.accessKey)).status, 200);
      const refused = await gw.postServer(noisy.pixelId, batch(10), noisy.accessKey);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      const body = (await refused.json()) as any;
      assert.equal(body.error.code, 613);
      assert.match(body.error.message, /more events than its limit; nothing was stored, retry in \d+ s/);
      // The publisher may already be sending the first 100: count them once they are all out.
      await waitFor(async () => (await gw.gateway.queue.depth(noisy.pixelId)) === 0, 'the accepted batch delivered');
      assert.equal(gw.fake.events(noisy.pixelId).length, 100, 'the refused batch was not stored');

      assert.equal((await gw.postServer(quiet.pixelId, batch(50), quiet.accessKey)).status, 200);
      const browser = await gw.postBrowser(Array.from({ length: 50 }, () => browserEvent(noisy.pixelId)));
      assert.equal(browser.status, 429, 'browser events of the account count against the same limit');
    } finally {
      await gw.stop();
    }
  });

  test('per client IP, behind a trusted proxy: one address is limited, the next one is not', async () => {
    const gw = await startTestGateway({ env: { CAPIG_TRUST_PROXY: 'true', CAPIG_RATE_LIMIT_IP: '2' } }); // burst 10
    try {
      const px = await gw.addPixel();
      const from = (ip: string) => gw.postBrowser([browserEvent(px.pixelId)], { 'x-forwarded-for': ip });
      for (let i = 0; i < 10; i++) assert.equal((await from('203.0.113.5')).status, 200);
      const refused = await from('203.0.113.5');
      assert.equal(refused.status, 429);
      assert.match(((await refused.json()) as any).error.message, /too many requests from 203\.0\.113\.5/);
      assert.equal((await from('198.51.100.7')).status, 200);
      const server = await fetch(`${gw.url}/capi/${px.pixelId}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.5' },
        body: JSON.stringify({ data: [serverEvent()], accessKey: px.accessKey }),
      });
      assert.equal(server.status, 429, 'server events from that address too');
    } finally {
      await gw.stop();
    }
  });

  test('by default, without a trusted proxy, many requests from one address all pass', async () => {
    const gw = await startTestGateway();
    try {
      const px = await gw.addPixel();
      const answers = await Promise.all(Array.from({ length: 300 }, () => gw.postBrowser([browserEvent(px.pixelId)])));
      assert.deepEqual(new Set(answers.map((r) => r.status)), new Set([200]));
    } finally {
      await gw.stop();
    }
  });
});
