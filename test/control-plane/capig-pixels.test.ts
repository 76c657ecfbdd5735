import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverEvent, waitFor } from '../harness.js';
import { type CapigTest, codes, newPixelId, SETUP, startCapigTest } from './capig-api.js';

// Connecting pixels through /capig/graphql/: the token check with Meta, OpenBridge registration,
// conflicts, removal, and replacing a token.
describe('capig: setupPixelSignalConfig, deleteDataSource, updateSignalConfigAccessToken', () => {
  let t: CapigTest;
  before(async () => {
    t = await startCapigTest();
  });
  after(() => t.stop());

  const setup = (tenantId: string, input: Record<string, unknown>) => t.gql(SETUP, { tenantId, input });
  const input = (over: Record<string, unknown> = {}) => ({
    pixelId: newPixelId(),
    businessId: '2840127409433732',
    accessToken: `EAAtok${Date.now()}${Math.random()}`.replace('.', ''),
    apiVersion: 'v24.0',
    externalId: '633612748410ba6e902',
    ...over,
  });

  test('a pixel is connected with the name Meta gives it and registered as OpenBridge endpoint', async () => {
    const tenantId = await t.newAccount();
    const i = input();
    t.gw.fake.setPixelName(i.pixelId, 'Shop pixel');
    const res = await setup(tenantId, i);
    assert.equal(res.status, 200);
    assert.equal(res.body.errors, undefined);
    const config = res.body.data.tenantMutations.signalMutations.setupPixelSignalConfig;
    assert.equal(config.id, `SignalConfig:${i.pixelId}`);
    assert.equal(config.connectionId, i.pixelId);
    assert.equal(config.connectionStatus.pixelName, 'Shop pixel');
    assert.equal(config.connectionStatus.accessTokenVerified, true);
    assert.equal(config.connectionStatus.eventBridgeActive, true);
    assert.match(config.connectionStatus.accessKey, /^[A-Za-z0-9_-]{20,}$/);

    const ob = t.gw.fake.openbridgeConfigurations().filter((c) => c.pixel_id === i.pixelId);
    assert.equal(ob.length, 1);
    assert.equal(ob[0]?.business_id, i.businessId);
    assert.equal(ob[0]?.fields.endpoint, t.gw.url);
    const check = t.gw.fake.requests().find((r) => r.path === `/v24.0/${i.pixelId}`);
    assert.ok(check, 'the token was checked with GET /v24.0/{pixelId}');

    // Events sent with that key reach Meta with that token.
    const sent = await t.gw.postServer(i.pixelId, { data: [serverEvent()] }, config.connectionStatus.accessKey);
    assert.equal(sent.status, 200);
    await waitFor(() => t.gw.fake.events(i.pixelId).length === 1, 'event published');
    assert.equal(t.gw.fake.events(i.pixelId)[0]?.access_token_last4, i.accessToken.slice(-4));
  });

  test('input.name is used when Meta gives no name; a deprecated apiVersion falls back to the default', async () => {
    const tenantId = await t.newAccount();
    const i = input({ apiVersion: 'v14.0', name: 'Given name' });
    t.gw.fake.setPixelName(i.pixelId, '');
    const res = await setup(tenantId, i);
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const status = res.body.data.tenantMutations.signalMutations.setupPixelSignalConfig.connectionStatus;
    assert.equal(status.pixelName, 'Given name');
    assert.equal(status.accessTokenVerified, true);
    const [row] = await t.gw.gateway.db.query<{ api_version: string | null }>(
      'SELECT api_version FROM pixels WHERE pixel_id = $1',
      [i.pixelId],
    );
    assert.equal(row?.api_version, null, 'publishing uses the gateway default version');
  });

  test('a token Meta rejects is refused with 400 and Meta’s message, never echoing the token', async () => {
    const tenantId = await t.newAccount();
    const i = input();
    t.gw.fake.revokeToken(i.accessToken);
    const res = await setup(tenantId, i);
    assert.deepEqual(codes(res), [400]);
    const message = res.body.errors?.[0]?.message ?? '';
    assert.match(message, /Error validating access token/);
    assert.match(message, /190\.463/);
    assert.ok(!message.includes(i.accessToken));
    assert.equal(res.body.data.tenantMutations.signalMutations.setupPixelSignalConfig, null);
    const rows = await t.gw.gateway.db.query('SELECT 1 FROM pixels WHERE pixel_id = $1', [i.pixelId]);
    assert.equal(rows.length, 0, 'nothing stored');
  });

  test('bad input is refused with 400 and says what to send', async () => {
    const tenantId = await t.newAccount();
    for (const [over, pattern] of [
      [{ pixelId: 'abc' }, /pixelId must be a numeric/],
      [{ businessId: '12-34' }, /businessId must be a numeric/],
      [{ accessToken: '  ' }, /accessToken is empty/],
      [{ apiVersion: '24' }, /apiVersion must look like v24\.0/],
    ] as const) {
      const res = await setup(tenantId, input(over));
      assert.deepEqual(codes(res), [400], JSON.stringify(over));
      assert.match(res.body.errors?.[0]?.message ?? '', pattern);
    }
  });

  test('a pixel already connected is a 409, in this account or another', async () => {
    const a = await t.newAccount();
    const b = await t.newAccount();
    const i = input();
    assert.equal((await setup(a, i)).body.errors, undefined);
    const again = await setup(a, input({ pixelId: i.pixelId }));
    assert.deepEqual(codes(again), [409]);
    const elsewhere = await setup(b, input({ pixelId: i.pixelId }));
    assert.deepEqual(codes(elsewhere), [409]);
    assert.match(elsewhere.body.errors?.[0]?.message ?? '', /another account/);
    assert.ok(!(elsewhere.body.errors?.[0]?.message ?? '').includes(a), 'the other account is not named');
  });

  test('two setups of one pixel at once: one connects, the other is a 409 (not a 500)', async () => {
    const tenantId = await t.newAccount();
    const i = input();
    const answers = await Promise.all([setup(tenantId, i), setup(tenantId, i)]);
    assert.deepEqual(
      answers.map((a) => codes(a)).sort((x, y) => x.length - y.length),
      [[], [409]],
    );
  });

  test('deleteDataSource removes the pixel, its filters and its queued events', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    await t.gw.gateway.accounts.setEventFilter(tenantId, px.pixelId, 'Lead', 'DROP');
    // Hold delivery so events stay queued.
    t.gw.fake.addFault({ pixel_id: px.pixelId, kind: 'http_status', status: 503 });
    await t.gw.postServer(px.pixelId, { data: [serverEvent(), serverEvent()] }, px.accessKey);
    assert.equal(await t.gw.gateway.queue.depth(px.pixelId), 2);

    const del = `mutation Del($id: ID!, $tenantId: ID!) { tenantMutations(tenantId: $tenantId) {
      signalMutations { deleteDataSource(id: $id) } } }`;
    const res = await t.gql(del, { id: px.pixelId, tenantId });
    assert.deepEqual(res.body, { data: { tenantMutations: { signalMutations: { deleteDataSource: true } } } });
    assert.equal(await t.gw.gateway.queue.depth(px.pixelId), 0);
    const left = await t.gw.gateway.db.query('SELECT 1 FROM event_filters WHERE pixel_id = $1', [px.pixelId]);
    assert.equal(left.length, 0);
    const after = await t.gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey);
    assert.equal(after.status, 404, 'ingest forgets the pixel at once');
    t.gw.fake.clearFaults();

    const again = await t.gql(del, { id: px.pixelId, tenantId });
    assert.deepEqual(codes(again), [404]);
    // Once removed, the pixel can be connected again.
    await t.connectPixel(tenantId, { pixelId: px.pixelId });
  });

  test('updateSignalConfigAccessToken replaces a rejected token and releases held events', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    t.gw.fake.revokeToken(px.token);
    await t.gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey);
    const account = `query A($tenantId: ID!) { tenantQueries(tenantId: $tenantId) { account {
      signalConfigs { connectionStatus { badToken apiErrorCode apiErrorMessage accessTokenVerified } } } } }`;
    const status = async () =>
      (await t.gql(account, { tenantId })).body.data.tenantQueries.account.signalConfigs[0].connectionStatus;
    await waitFor(async () => (await status()).badToken === true, 'bad token recorded');
    assert.equal((await status()).apiErrorCode, '190.463');

    const update = `mutation U($tenantId: ID!, $id: ID!, $token: String!) { tenantMutations(tenantId: $tenantId) {
      signalMutations { updateSignalConfigAccessToken(id: $id, accessToken: $token) {
        id connectionStatus { badToken accessTokenVerified } } } } }`;
    const refused = await t.gql(update, { tenantId, id: px.pixelId, token: px.token });
    assert.deepEqual(codes(refused), [400], 'the revoked token is refused again');
    const res = await t.gql(update, { tenantId, id: px.pixelId, token: 'EAAfresh123' });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const config = res.body.data.tenantMutations.signalMutations.updateSignalConfigAccessToken;
    assert.deepEqual(config.connectionStatus, { badToken: false, accessTokenVerified: true });
    await waitFor(() => t.gw.fake.events(px.pixelId).length === 1, 'held event published with the new token', 15_000);
    assert.equal(t.gw.fake.events(px.pixelId)[0]?.access_token_last4, 'h123');
    await waitFor(
      async () => (await status()).apiErrorCode === null,
      'Meta’s old error is cleared once it accepts again',
    );
    assert.equal((await status()).apiErrorMessage, null);

    const unknown = await t.gql(update, { tenantId, id: newPixelId(), token: 'x1' });
    assert.deepEqual(codes(unknown), [404]);
  });
});

describe('capig: setupPixelSignalConfig while the Graph API cannot be reached', () => {
  let t: CapigTest;
  before(async () => {
    t = await startCapigTest({ env: { CAPIG_GRAPH_API_URL: 'http://127.0.0.1:9' } });
  });
  after(() => t.stop());

  test('the pixel is accepted with an unverified token and no OpenBridge registration', async () => {
    const tenantId = await t.newAccount();
    const pixelId = newPixelId();
    const input = { pixelId, businessId: '2840127409433732', accessToken: 'EAAsome', externalId: '', name: 'Mine' };
    const res = await t.gql(SETUP, { tenantId, input });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const status = res.body.data.tenantMutations.signalMutations.setupPixelSignalConfig.connectionStatus;
    assert.equal(status.accessTokenVerified, false);
    assert.equal(status.eventBridgeActive, false);
    assert.equal(status.pixelName, 'Mine');
    assert.ok(status.accessKey);
  });
});
