import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverEvent, startTestGateway, type TestGateway, type TestPixel, waitFor } from '../harness.js';

// What happens when Meta says no: nothing acknowledged is lost, bad events are isolated, and one
// pixel's trouble never becomes another's.
describe('delivery failures', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  const send = async (px: TestPixel, data: Record<string, unknown>[]) => {
    const res = await gw.postServer(px.pixelId, { data }, px.accessKey);
    assert.equal(res.status, 200, await res.text());
  };
  const ids = (px: TestPixel) => new Set(gw.fake.events(px.pixelId).map((e) => (e.event as any).event_id as string));
  const drained = (px: TestPixel) =>
    waitFor(async () => (await gw.gateway.queue.depth(px.pixelId)) === 0, `queue of ${px.pixelId} drained`, 20_000);

  test('outage: 5xx and throttling for a while, then every event is delivered', async () => {
    const px = await gw.addPixel();
    gw.fake.addFault({ pixel_id: px.pixelId, kind: 'graph_error', code: 2, times: 3 });
    gw.fake.addFault({ pixel_id: px.pixelId, kind: 'graph_error', code: 613, times: 2 });
    gw.fake.addFault({ pixel_id: px.pixelId, kind: 'http_status', status: 502, times: 2 });
    const data = Array.from({ length: 50 }, () => serverEvent());
    await send(px, data);
    await drained(px);
    const got = ids(px);
    for (const e of data) assert.ok(got.has(e.event_id as string), `event ${e.event_id} delivered`);
    const failed = gw.fake.requests().filter((r) => r.pixel_id === px.pixelId && r.status !== 200);
    assert.equal(failed.length, 7, 'each fault was hit once, then the events were retried');
    // Once Meta accepts again, the outage is no longer shown as the pixel's current error.
    await waitFor(async () => {
      const [row] = await gw.gateway.db.query<{ last_error_code: string | null }>(
        'SELECT last_error_code FROM pixels WHERE pixel_id = $1',
        [px.pixelId],
      );
      return row?.last_error_code === null;
    }, 'last error cleared');
  });

  test('timeouts are retried too', async () => {
    const px = await gw.addPixel();
    gw.fake.addFault({ pixel_id: px.pixelId, kind: 'hang', times: 1 });
    const data = [serverEvent(), serverEvent()];
    await send(px, data);
    await drained(px);
    assert.equal(ids(px).size, 2);
  });

  test('poison: one invalid event in a batch is dead-lettered with Meta’s error; all others are delivered', async () => {
    const px = await gw.addPixel();
    gw.fake.addFault({
      pixel_id: px.pixelId,
      kind: 'graph_error',
      code: 100,
      subcode: 2804050,
      match_event_name: 'Poison',
      message: 'Invalid parameter',
    });
    const good = Array.from({ length: 200 }, () => serverEvent());
    const poison = serverEvent({ event_name: 'Poison' });
    await send(px, [...good.slice(0, 120), poison, ...good.slice(120)]);
    await drained(px);
    const got = ids(px);
    assert.equal(got.size, 200);
    for (const e of good) assert.ok(got.has(e.event_id as string));
    assert.ok(!got.has(poison.event_id as string));
    const letters = await gw.gateway.db.query<any>(
      'SELECT event, reason, error_code, error_subcode, error_message, attempts FROM dead_letters WHERE pixel_id = $1',
      [px.pixelId],
    );
    assert.equal(letters.length, 1);
    assert.equal(letters[0].event.event_id, poison.event_id);
    assert.equal(letters[0].reason, 'rejected');
    assert.equal(letters[0].error_code, 100);
    assert.equal(letters[0].error_subcode, 2804050);
    assert.match(letters[0].error_message, /Invalid parameter/);
    assert.equal(letters[0].attempts, 1, 'refused on its first delivery');
    gw.fake.clearFaults();
  });

  test('an invalid token holds the pixel’s events, and they flow once the token is replaced', async () => {
    const px = await gw.addPixel();
    gw.fake.revokeToken(px.token);
    const data = [serverEvent(), serverEvent(), serverEvent()];
    await send(px, data);
    await waitFor(async () => {
      const [row] = await gw.gateway.db.query<{ bad_token: boolean }>(
        'SELECT bad_token FROM pixels WHERE pixel_id = $1',
        [px.pixelId],
      );
      return row?.bad_token === true;
    }, 'pixel marked badToken');
    const [row] = await gw.gateway.db.query<{ last_error_code: string }>(
      'SELECT last_error_code FROM pixels WHERE pixel_id = $1',
      [px.pixelId],
    );
    assert.equal(row?.last_error_code, '190.463');
    assert.equal(await gw.gateway.queue.depth(px.pixelId), 3, 'events are held, not dropped');
    const attempts = gw.fake.requests().filter((r) => r.pixel_id === px.pixelId).length;
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(gw.fake.requests().filter((r) => r.pixel_id === px.pixelId).length, attempts, 'no retry storm');

    await gw.gateway.accounts.replaceAccessToken(px.tenantId, px.pixelId, 'fresh-token-1234');
    await drained(px);
    assert.equal(ids(px).size, 3);
    assert.equal(gw.fake.events(px.pixelId)[0]?.access_token_last4, '1234');
  });

  test('isolation: a pixel with an invalid token does not slow another pixel’s delivery', async () => {
    const healthy = await gw.addPixel();
    const broken = await gw.addPixel();
    // Meta takes 1.5 s to say the token is invalid, so any waiting shared between pixels would show.
    gw.fake.addFault({ pixel_id: broken.pixelId, kind: 'latency', latency_ms: 1500 });
    gw.fake.addFault({ pixel_id: broken.pixelId, kind: 'graph_error', code: 190, subcode: 460 });
    await send(
      broken,
      Array.from({ length: 100 }, () => serverEvent()),
    );
    const started = Date.now();
    for (let i = 0; i < 5; i++)
      await send(
        healthy,
        Array.from({ length: 20 }, () => serverEvent()),
      );
    await drained(healthy);
    const elapsed = Date.now() - started;
    assert.equal(ids(healthy).size, 100);
    assert.ok(elapsed < 1500, `healthy pixel delivered in ${elapsed} ms, not held behind the broken one`);
    await waitFor(() => gw.fake.requests().some((r) => r.pixel_id === broken.pixelId), 'the broken pixel was tried');
    gw.fake.clearFaults();
  });

  test('events older than Meta accepts are dead-lettered as expired instead of retried forever', async () => {
    const px = await gw.addPixel();
    const old = serverEvent({ event_time: Math.floor(Date.now() / 1000) - 7 * 86400 + 120 });
    await send(px, [old]);
    await drained(px);
    const letters = await gw.gateway.db.query<any>('SELECT reason FROM dead_letters WHERE pixel_id = $1', [px.pixelId]);
    assert.deepEqual(
      letters.map((l: any) => l.reason),
      ['expired'],
    );
    assert.equal(ids(px).size, 0);
  });
});
