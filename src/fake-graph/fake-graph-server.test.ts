import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type FakeGraph, startFakeGraph } from './fake-graph-server.js';
import { event, graphClient, now, PIXEL, TOKEN } from './test-kit.js';

describe('fake graph server', () => {
  let fake: FakeGraph;
  const { post, sendEvents, errorOf } = graphClient(() => fake);

  before(async () => {
    fake = await startFakeGraph();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  it('listens on a random local port', () => {
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(fake.port > 0);
  });

  it('accepts a JSON batch with the success shape and records the events', async () => {
    const events = [event(), event('Lead')];
    const res = await sendEvents(events, PIXEL, { test_event_code: 'TEST123' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.events_received, 2);
    assert.deepEqual(body.messages, []);
    assert.match(String(body.fbtrace_id), /^[A-Za-z0-9_-]{20,}$/);

    const recorded = fake.events(PIXEL);
    assert.equal(recorded.length, 2);
    assert.deepEqual(recorded[0]?.event, events[0]);
    assert.equal(recorded[0]?.test_event_code, 'TEST123');
    assert.equal(recorded[0]?.access_token_last4, '1234');
    assert.deepEqual(fake.events('999'), []);
  });

  it('accepts urlencoded and multipart bodies with data as a JSON string', async () => {
    const form = new URLSearchParams({ data: JSON.stringify([event()]), access_token: TOKEN });
    const res1 = await fetch(`${fake.url}/v26.0/${PIXEL}/events`, { method: 'POST', body: form });
    assert.equal(res1.status, 200);
    const multipart = new FormData();
    multipart.set('data', JSON.stringify([event(), event()]));
    multipart.set('test_event_code', 'TEST9');
    const res2 = await fetch(`${fake.url}/v26.0/${PIXEL}/events?access_token=${TOKEN}`, {
      method: 'POST',
      body: multipart,
    });
    assert.equal(res2.status, 200);
    assert.equal(((await res2.json()) as { events_received: number }).events_received, 2);
    assert.equal(fake.events(PIXEL).filter((e) => e.test_event_code === 'TEST9').length, 2);
  });

  it('takes the token from the query, the body or a Bearer header', async () => {
    assert.equal((await post(`/v26.0/${PIXEL}/events`, { data: [event()], access_token: TOKEN })).status, 200);
    const bearer = await post(`/v26.0/${PIXEL}/events`, { data: [event()] }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(bearer.status, 200);
    const missing = await post(`/v26.0/${PIXEL}/events`, { data: [event()] });
    assert.equal(missing.status, 400);
    const err = await errorOf(missing);
    assert.equal(err.code, 104);
    assert.equal(err.type, 'OAuthException');
    assert.equal(typeof err.fbtrace_id, 'string');
  });

  it('rejects revoked tokens with 190/463 until restored', async () => {
    fake.revokeToken(TOKEN);
    const res = await sendEvents([event()]);
    assert.equal(res.status, 400);
    const err = await errorOf(res);
    assert.deepEqual([err.code, err.error_subcode, err.type], [190, 463, 'OAuthException']);
    assert.match(String(err.message), /access token/i);
    fake.restoreToken(TOKEN);
    assert.equal((await sendEvents([event()])).status, 200);
  });

  it('answers 2635 for versions that are not live and 100 for unknown paths', async () => {
    const old = await post(`/v12.0/${PIXEL}/events?access_token=${TOKEN}`, { data: [event()] });
    assert.equal(old.status, 400);
    const err = await errorOf(old);
    assert.equal(err.code, 2635);
    assert.match(String(err.message), /deprecated version/);
    for (const path of ['/nope', `/v26.0/${PIXEL}/evnts`, `/26.0/${PIXEL}/events`]) {
      const res = await post(`${path}?access_token=${TOKEN}`, {});
      assert.equal(res.status, 400);
      const e = await errorOf(res);
      assert.equal(e.code, 100);
      assert.match(String(e.message), /Unknown path components/);
    }
  });

  it('rejects the whole batch when one event is invalid and counts it', async () => {
    const res = await sendEvents([event(), event('Bad', { event_time: now() - 30 * 86_400 })]);
    assert.equal(res.status, 400);
    const err = await errorOf(res);
    assert.deepEqual([err.code, err.error_subcode, err.is_transient], [100, 2804003, false]);
    assert.match(String(err.error_user_msg), /data\[1\]/);
    assert.equal(fake.events().length, 0);
    const stats = fake.stats();
    assert.equal(stats.eventsRejected, 2);
    assert.equal(stats.byPixel[PIXEL]?.eventsRejected, 2);
  });

  it('turns malformed bodies into code 100 and never crashes', async () => {
    for (const body of ['{not json', '[1,2]', '{"data": "[oops"}', '{"data": 5}']) {
      const res = await post(`/v26.0/${PIXEL}/events?access_token=${TOKEN}`, body);
      assert.equal(res.status, 400, body);
      assert.equal((await errorOf(res)).code, 100);
    }
    const bad = await fetch(`${fake.url}/v26.0/${PIXEL}/events?access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
      body: 'garbage',
    });
    assert.equal((await errorOf(bad)).code, 100);
    assert.equal((await sendEvents([event()])).status, 200);
  });

  it('caps the body at 10 MB with a 413 Graph error', async () => {
    const huge = JSON.stringify({ data: [event()], pad: 'x'.repeat(10 * 1024 * 1024) });
    const res = await post(`/v26.0/${PIXEL}/events?access_token=${TOKEN}`, huge);
    assert.equal(res.status, 413);
    assert.equal((await errorOf(res)).code, 100);
    // Also when the client does not announce a length (chunked).
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${fake.url}/v26.0/${PIXEL}/events?access_token=${TOKEN}`, { method: 'POST' }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 11; i++) req.write(Buffer.alloc(1024 * 1024, 0x20));
      req.end();
    });
    assert.equal(status, 413);
  });

  it('reads pixels by id and names them through the control API', async () => {
    const res = await fetch(`${fake.url}/v26.0/${PIXEL}?fields=id,name&access_token=${TOKEN}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: PIXEL, name: `Fake Pixel ${PIXEL}` });
    const put = await fetch(`${fake.url}/_fake/pixels/${PIXEL}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Shop pixel' }),
    });
    assert.equal(put.status, 200);
    const named = await fetch(`${fake.url}/v26.0/${PIXEL}?fields=name&access_token=${TOKEN}`);
    assert.deepEqual(await named.json(), { id: PIXEL, name: 'Shop pixel' });

    const unknown = await fetch(`${fake.url}/v26.0/not-a-pixel?access_token=${TOKEN}`);
    const err = await errorOf(unknown);
    assert.deepEqual([err.code, err.error_subcode, err.type], [100, 33, 'GraphMethodException']);
    assert.match(String(err.message), /^Unsupported get request\. Object with ID 'not-a-pixel' does not exist/);
    assert.equal((await errorOf(await fetch(`${fake.url}/v26.0/${PIXEL}`))).code, 104);
  });

  it('registers OpenBridge configurations', async () => {
    const form = new URLSearchParams({
      pixel_id: PIXEL,
      access_token: TOKEN,
      endpoint: 'https://gw.example',
    });
    const res = await fetch(`${fake.url}/v26.0/555/openbridge_configurations`, {
      method: 'POST',
      body: form,
    });
    assert.equal(res.status, 200);
    const { id } = (await res.json()) as { id: string };
    assert.match(id, /^\d{15}$/);
    const listed = (await (await fetch(`${fake.url}/_fake/openbridge_configurations`)).json()) as {
      configurations: unknown[];
    };
    assert.equal(listed.configurations.length, 1);
    const [config] = fake.openbridgeConfigurations();
    assert.equal(config?.pixel_id, PIXEL);
    assert.equal(config?.business_id, '555');
    assert.equal(config?.fields.endpoint, 'https://gw.example');
    const missing = await post(`/v26.0/555/openbridge_configurations?access_token=${TOKEN}`, {});
    assert.equal((await errorOf(missing)).code, 100);
  });
});
