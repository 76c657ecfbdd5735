import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserEvent, serverEvent, startTestGateway, type TestGateway, type TestPixel, waitFor } from '../harness.js';

// Bad input gets a clear 4xx that says what is wrong, never a 5xx, and the gateway keeps serving.
describe('bad input', () => {
  let gw: TestGateway;
  /** Events of earlier tests published, so the publisher cannot change the depth while a test counts it. */
  const drained = () =>
    waitFor(async () => (await gw.gateway.queue.depth(px.pixelId)) === 0, 'the queue drained', 20_000);
  let px: TestPixel;
  before(async () => {
    gw = await startTestGateway({ env: { CAPIG_BODY_LIMIT_BYTES: '65536' } });
    px = await gw.addPixel();
  });
  after(() => gw.stop());

  async function expectError(res: Response, status: number, message: RegExp) {
    assert.equal(res.status, status);
    const body = await res.json();
    assert.match(body.error.message, message);
    assert.equal(typeof body.error.fbtrace_id, 'string');
    return body;
  }

  test('malformed JSON is a 400 naming the problem', async () => {
    await expectError(await gw.postBrowser('{"event_name": '), 400, /not valid JSON/);
    await expectError(await gw.postServer(px.pixelId, '[oops', px.accessKey), 400, /not valid JSON/);
    await expectError(await gw.postBrowser(''), 400, /empty/);
  });

  test('a lone surrogate or JSON nested too deep is a 400 on every endpoint, never a 503; nothing is stored', async () => {
    await drained();
    const depthBefore = 0;
    // JSON.stringify writes a lone surrogate as the escape \ud800, as a client library would.
    const lone = '\ud800';
    await expectError(
      await gw.postBrowser(browserEvent(px.pixelId, { event_name: `Page${lone}` })),
      400,
      /lone surrogate/,
    );
    await expectError(
      await gw.postServer(px.pixelId, { data: [serverEvent({ custom_data: { note: lone } })] }, px.accessKey),
      400,
      /custom_data.note holds a lone surrogate/,
    );
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const deepEvent = JSON.stringify(serverEvent()).replace('"custom_data":{', `"custom_data":{"deep":${deep(5000)},`);
    await expectError(
      await gw.postServer(px.pixelId, `{"data":[${deepEvent}]}`, px.accessKey),
      400,
      /nested deeper than 32/,
    );
    await expectError(
      await gw.postBrowser(
        JSON.stringify(browserEvent(px.pixelId)).replace('"custom_data":{', `"custom_data":{"d":${deep(5000)},`),
      ),
      400,
      /nested deeper/,
    );
    // The same limits on the control plane, before anything walks the body.
    const login = await fetch(`${gw.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"email":"a@b.co","password":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
    });
    await expectError(login, 400, /nested deeper/);
    const surrogateLogin = await fetch(`${gw.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${lone}@x.co`, password: 'whatever-it-is' }),
    });
    await expectError(surrogateLogin, 400, /lone surrogate/);
    const graphql = (headers: Record<string, string>) =>
      fetch(`${gw.url}/hub/graphql/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: `{"query":"{ __typename }","variables":{"v":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`,
      });
    assert.equal((await graphql({})).status, 401, 'anonymous: refused before the body is looked at');
    const name = `deep${Date.now()}`;
    const { secret } = await gw.gateway.apiAccounts.create(name, null);
    const issued = await fetch(`${gw.url}/clients/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: name, client_secret: secret, grant_type: 'client_credentials' }),
    });
    const { access_token } = (await issued.json()) as { access_token: string };
    const authed = await graphql({ authorization: `Bearer ${access_token}` });
    assert.equal(authed.status, 400);
    assert.match(JSON.stringify(await authed.json()), /nested deeper/);
    assert.equal(await gw.gateway.queue.depth(px.pixelId), depthBefore, 'nothing was stored');
  });

  test('browser bodies without a usable event are a 400; mixed arrays keep their good events', async () => {
    await expectError(await gw.postBrowser({ event_name: 'PageView' }), 400, /fb\.pixel_id/);
    await expectError(await gw.postBrowser([]), 400, /empty array/);
    await expectError(await gw.postBrowser('"just a string"'), 400, /JSON object/);
    const res = await gw.postBrowser([{ nonsense: true }, browserEvent(px.pixelId)]);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.queued, 1);
    assert.equal(body.dropped.invalid, 1);
  });

  test('wrong types in server events name each invalid event and field; nothing is stored', async () => {
    await drained();
    const before = 0;
    const body = await expectError(
      await gw.postServer(
        px.pixelId,
        {
          data: [
            serverEvent(),
            serverEvent({ event_time: 'yesterday' }),
            serverEvent({ event_name: 42, action_source: 'telepathy' }),
            serverEvent({ event_time: Math.floor(Date.now() / 1000) - 8 * 86400 }),
            serverEvent({ event_time: Date.now() }),
            serverEvent({ user_data: 'me@example.com' }),
          ],
        },
        px.accessKey,
      ),
      400,
      /5 of 6 events are invalid/,
    );
    const invalid = body.error.error_data.invalid_events;
    assert.deepEqual(
      invalid.map((i: any) => i.index),
      [1, 2, 3, 4, 5],
    );
    assert.match(invalid[0].errors[0], /event_time/);
    assert.ok(invalid[1].errors.some((e: string) => /event_name/.test(e)));
    assert.ok(invalid[1].errors.some((e: string) => /action_source/.test(e)));
    assert.match(invalid[2].errors[0], /older than 7 days/);
    assert.match(invalid[3].errors[0], /milliseconds/);
    assert.match(invalid[4].errors[0], /user_data/);
    assert.equal(await gw.gateway.queue.depth(px.pixelId), before);
  });

  test('website server events need a URL and a user agent', async () => {
    const ev = serverEvent({ user_data: { em: 'a@b.co' } });
    delete ev.event_source_url;
    const body = await expectError(await gw.postServer(px.pixelId, { data: [ev] }, px.accessKey), 400, /invalid/);
    assert.deepEqual(body.error.error_data.invalid_events[0].errors, [
      'event_source_url is required for website events',
      'user_data.client_user_agent is required for website events',
    ]);
  });

  test('data must be a non-empty array of at most 1000 events', async () => {
    await expectError(await gw.postServer(px.pixelId, { data: [] }, px.accessKey), 400, /non-empty array/);
    await expectError(await gw.postServer(px.pixelId, { nodata: 1 }, px.accessKey), 400, /non-empty array/);
    const many = Array.from({ length: 1001 }, () => ({ event_name: 'x' }));
    await expectError(await gw.postServer(px.pixelId, { data: many }, px.accessKey), 400, /at most 1000/);
  });

  test('unknown pixels, missing and wrong keys get clear errors', async () => {
    await expectError(await gw.postServer('999999999', { data: [serverEvent()] }, 'k'), 404, /not connected/);
    await expectError(await gw.postServer('not-a-pixel', { data: [serverEvent()] }, 'k'), 400, /numeric/);
    await expectError(await gw.postServer(px.pixelId, { data: [serverEvent()] }, null), 401, /access key is required/);
    await expectError(await gw.postServer(px.pixelId, { data: [serverEvent()] }, 'wrong'), 401, /not valid/);
    const other = await gw.addPixel();
    await expectError(await gw.postServer(px.pixelId, { data: [serverEvent()] }, other.accessKey), 401, /not valid/);
    // The key may also come in the body, as Meta's older documentation shows.
    const res = await gw.postServer(px.pixelId, { data: [serverEvent()], accessKey: px.accessKey });
    assert.equal(res.status, 200);
    // A browser event for an unknown pixel is dropped with a 2xx: browsers cannot act on errors.
    const b = await gw.postBrowser(browserEvent('123456'));
    assert.deepEqual((await b.json()).dropped, { pixel_unknown: 1 });
  });

  test('huge bodies are refused with 413 before they are read whole', async () => {
    const big = JSON.stringify({ data: [serverEvent({ custom_data: { blob: 'x'.repeat(100_000) } })] });
    await expectError(await gw.postServer(px.pixelId, big, px.accessKey), 413, /larger than 65536 bytes/);
  });

  test('unsupported content types and unknown routes are 4xx', async () => {
    const res = await fetch(`${gw.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: 'x',
    });
    await expectError(res, 415, /Content-Type/);
    const form = await fetch(`${gw.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"event_name":"PageView"}',
    });
    await expectError(form, 415, /not form-encoded/);
    await expectError(await fetch(`${gw.url}/nope`), 404, /no route/);
  });

  test('after all that the gateway still works', async () => {
    const ev = serverEvent();
    assert.equal((await gw.postServer(px.pixelId, { data: [ev] }, px.accessKey)).status, 200);
    const got = await gw.fake.waitForEvents(1, { pixelId: px.pixelId });
    assert.ok(got.length >= 1);
  });

  test('browsers get CORS headers for their origin, and a preflight answer', async () => {
    const pre = await fetch(`${gw.url}/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
    const res = await gw.postBrowser(browserEvent(px.pixelId), { origin: 'https://shop.example.com' });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  });
});
