import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { browserEvent, serverEvent, startTestGateway, type TestGateway, waitFor } from '../harness.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('from HTTP to the Conversions API', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  test('a browser event from the pixel plugin arrives at Meta with the right fields', async () => {
    const px = await gw.addPixel();
    const ev = browserEvent(px.pixelId, {
      event_name: 'AddToCart',
      custom_data: { content_ids: ['sku-9'], content_type: 'product' },
      conversion_value: { value: 19.99, currency: 'USD' },
      'fb.advanced_matching': {
        em: ' John_Smith@gmail.com ',
        ph: '+1 (650) 555-1212',
        fn: 'Mary',
        country: 'United States',
      },
      website_context: {
        location: 'https://shop.example.com/cart?fbclid=IwAR-Click_ID',
        referrer: 'https://google.com/',
        isInIFrame: false,
      },
    });
    const res = await gw.postBrowser(ev, {
      'x-forwarded-for': '198.51.100.20',
      cookie: '_fbp=fb.1.1700000000000.42; other=1',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null, 'no Origin sent, no CORS header');
    const body = await res.json();
    assert.equal(body.queued, 1);

    const [got] = await gw.fake.waitForEvents(1, { pixelId: px.pixelId });
    const e = got?.event as Record<string, any>;
    assert.equal(e.event_name, 'AddToCart');
    assert.equal(e.event_id, ev.event_id);
    assert.equal(e.action_source, 'website');
    assert.equal(e.event_source_url, 'https://shop.example.com/cart?fbclid=IwAR-Click_ID');
    assert.equal(e.referrer_url, 'https://google.com/');
    assert.ok(Math.abs(e.event_time - Date.now() / 1000) < 60);
    assert.deepEqual(e.custom_data, { content_ids: ['sku-9'], content_type: 'product', value: 19.99, currency: 'USD' });
    const ud = e.user_data;
    // Without CAPIG_TRUST_PROXY the forwarded header is ignored: the connection's address counts.
    assert.equal(ud.client_ip_address, '127.0.0.1');
    assert.equal(ud.client_user_agent, 'Mozilla/5.0 (Test) Chrome/140');
    assert.equal(ud.fbp, ev['fb.fbp'], 'the fbp the pixel sent wins over the cookie');
    assert.match(ud.fbc, /^fb\.1\.\d{13}\.IwAR-Click_ID$/);
    assert.equal(ud.em, sha256('john_smith@gmail.com'));
    assert.ok(ud.em.startsWith('62a14e44'));
    assert.equal(ud.ph, sha256('16505551212'));
    assert.equal(ud.fn, sha256('mary'));
    assert.equal(ud.country, sha256('us'));
    assert.equal(got?.access_token_last4, px.token.slice(-4));
  });

  test('a server event arrives with hashed customer information and its own IP and user agent', async () => {
    const px = await gw.addPixel();
    const ev = serverEvent({
      user_data: {
        em: 'John_Smith@gmail.com',
        ph: ['+1 (650)555-1212'],
        ln: 'Valéry',
        db: '2/16/1997',
        external_id: 'user-77',
        client_ip_address: '203.0.113.9',
        client_user_agent: 'Mozilla/5.0 (Customer)',
        fbc: 'fb.1.1700000000000.AbCdEf',
        fbp: 'fb.1.1700000000000.99',
      },
    });
    const res = await gw.postServer(px.pixelId, { data: [ev], test_event_code: 'TEST123' }, px.accessKey);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.events_received, 1);
    assert.equal(typeof body.fbtrace_id, 'string');

    const [got] = await gw.fake.waitForEvents(1, { pixelId: px.pixelId });
    assert.equal(got?.test_event_code, 'TEST123');
    const e = got?.event as Record<string, any>;
    assert.equal(e.event_id, ev.event_id);
    assert.deepEqual(e.custom_data, { value: 42.5, currency: 'USD' });
    assert.equal(e.user_data.client_ip_address, '203.0.113.9');
    assert.equal(e.user_data.client_user_agent, 'Mozilla/5.0 (Customer)');
    assert.equal(e.user_data.fbc, 'fb.1.1700000000000.AbCdEf');
    assert.equal(e.user_data.fbp, 'fb.1.1700000000000.99');
    assert.equal(e.user_data.ln, sha256('valéry'));
    assert.deepEqual(e.user_data.ph, [sha256('16505551212')], 'an array stays an array');
    assert.equal(e.user_data.db, sha256('19970216'));
    assert.equal(e.user_data.external_id, sha256('user-77'));
  });

  test('pre-hashed values are passed through, never hashed twice', async () => {
    const px = await gw.addPixel();
    const hashed = sha256('a@b.co').toUpperCase();
    const res = await gw.postServer(
      px.pixelId,
      { data: [serverEvent({ user_data: { em: hashed, client_user_agent: 'UA' } })] },
      px.accessKey,
    );
    assert.equal(res.status, 200);
    const [got] = await gw.fake.waitForEvents(1, { pixelId: px.pixelId });
    assert.equal((got!.event as any).user_data.em, hashed.toLowerCase());
  });

  test('an event without event_id gets one, so retries deduplicate at Meta', async () => {
    const px = await gw.addPixel();
    const ev = serverEvent();
    delete ev.event_id;
    await gw.postServer(px.pixelId, { data: [ev] }, px.accessKey);
    const [got] = await gw.fake.waitForEvents(1, { pixelId: px.pixelId });
    assert.match(String((got!.event as any).event_id), /^[0-9a-f-]{36}$/);
  });

  test('many events for one pixel are published in batches, not one request each', async () => {
    const px = await gw.addPixel();
    const data = Array.from({ length: 300 }, () => serverEvent());
    const res = await gw.postServer(px.pixelId, { data }, px.accessKey);
    assert.equal(res.status, 200);
    await gw.fake.waitForEvents(300, { pixelId: px.pixelId });
    const requests = gw.fake.requests().filter((r) => r.pixel_id === px.pixelId);
    assert.ok(requests.length <= 3, `expected batched requests, got ${requests.length}`);
    await waitFor(async () => (await gw.gateway.queue.depth(px.pixelId)) === 0, 'queue drained');
  });
});
