import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type FakeGraph, startFakeGraph } from './fake-graph-server.js';
import { event, graphClient, PIXEL, TOKEN } from './test-kit.js';

describe('fake graph control API', () => {
  let fake: FakeGraph;
  const { sendEvents, errorOf } = graphClient(() => fake);

  before(async () => {
    fake = await startFakeGraph();
  });
  after(() => fake.close());
  beforeEach(() => fake.reset());

  it('exposes events, requests and stats over the control API', async () => {
    await sendEvents([event(), event()]);
    await sendEvents([event()], '42');
    await sendEvents([]);
    const ev = (await (await fetch(`${fake.url}/_fake/events?pixel_id=${PIXEL}&limit=1`)).json()) as {
      total: number;
      events: Array<Record<string, unknown>>;
    };
    assert.equal(ev.total, 2);
    assert.equal(ev.events.length, 1);
    assert.equal(ev.events[0]?.pixel_id, PIXEL);
    assert.equal(typeof ev.events[0]?.received_at, 'number');

    const log = (await (await fetch(`${fake.url}/_fake/requests`)).json()) as {
      requests: Array<Record<string, unknown>>;
    };
    assert.deepEqual(
      log.requests.map((r) => [r.pixel_id, r.status, r.events, r.error_code]),
      [
        [PIXEL, 200, 2, null],
        ['42', 200, 1, null],
        [PIXEL, 400, 0, 100],
      ],
    );
    assert.equal(log.requests[0]?.path, `/v26.0/${PIXEL}/events`);
    assert.equal(typeof log.requests[0]?.duration_ms, 'number');

    const stats = await (await fetch(`${fake.url}/_fake/stats`)).json();
    assert.deepEqual(stats, fake.stats());
    assert.equal(fake.stats().requests, 3);
    assert.equal(fake.stats().eventsAccepted, 3);
    assert.deepEqual(fake.stats().byPixel['42'], { requests: 1, eventsAccepted: 1, eventsRejected: 0 });

    assert.equal((await fetch(`${fake.url}/_fake/events`, { method: 'DELETE' })).status, 200);
    assert.equal(fake.events().length, 0);
    assert.equal(fake.stats().requests, 0);
    assert.equal((await fetch(`${fake.url}/_fake/nope`)).status, 404);
  });

  it('revokes tokens over the control API', async () => {
    const revoke = await fetch(`${fake.url}/_fake/tokens/revoke`, {
      method: 'POST',
      body: JSON.stringify({ token: TOKEN }),
    });
    assert.equal(revoke.status, 200);
    assert.equal((await errorOf(await sendEvents([event()]))).code, 190);
    await fetch(`${fake.url}/_fake/tokens/restore`, {
      method: 'POST',
      body: JSON.stringify({ token: TOKEN }),
    });
    assert.equal((await sendEvents([event()])).status, 200);
  });

  it('waitForEvents resolves when enough events arrive and times out clearly', async () => {
    const waiting = fake.waitForEvents(3, { pixelId: PIXEL });
    await sendEvents([event()], '77');
    await sendEvents([event(), event()]);
    await sendEvents([event()]);
    const events = await waiting;
    assert.equal(events.length, 3);
    assert.ok(events.every((e) => e.pixel_id === PIXEL));
    assert.equal((await fake.waitForEvents(1, { pixelId: '77' })).length, 1);
    await assert.rejects(
      fake.waitForEvents(10, { pixelId: PIXEL, timeoutMs: 50 }),
      /timed out after 50 ms.*3 accepted/,
    );
  });
});

describe('fake graph options', () => {
  it('keeps counting beyond recordLimit, honours liveVersions and close() ends keep-alive sockets', async () => {
    const fake = await startFakeGraph({ recordLimit: 3, liveVersions: ['v20.0'], strictHashing: false });
    try {
      const body = JSON.stringify({
        data: [1, 2].map(() => ({ ...event(), user_data: { em: 'plain@example.com' } })),
      });
      const url = `${fake.url}/v20.0/${PIXEL}/events?access_token=${TOKEN}`;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(res.status, 200);
      }
      assert.equal(fake.events().length, 3);
      assert.equal(fake.stats().eventsAccepted, 6);
      const v26 = await fetch(`${fake.url}/v26.0/${PIXEL}?access_token=${TOKEN}`);
      assert.equal(((await v26.json()) as { error: { code: number } }).error.code, 2635);
    } finally {
      const started = Date.now();
      await fake.close();
      assert.ok(Date.now() - started < 1000, 'close() must not wait for idle keep-alive sockets');
    }
  });
});
