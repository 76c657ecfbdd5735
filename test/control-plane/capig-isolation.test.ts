import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { filterRows } from '../../src/database/repos/filters-repo.js';
import { deletePixel, findPixel, listPixels } from '../../src/database/repos/signal-configs-repo.js';
import { activityInWindow, pixelWindows } from '../../src/database/repos/tenant-metrics-repo.js';
import { createSigner } from '../../src/platform/signer.js';
import { serverEvent, TEST_SECRET, waitFor } from '../harness.js';
import { type CapigTest, type ConnectedPixel, codes, newPixelId, SETUP, startCapigTest } from './capig-api.js';

// One account's pixels, filters and metrics never reach a caller asking about another account:
// the namespaces answer 404 for accounts the caller cannot see, the operations 404 for pixels of
// another account, and the repos filter by account in SQL whatever the resolver did.
describe('capig: isolation between accounts', () => {
  let t: CapigTest;
  let a: ConnectedPixel;
  let b: ConnectedPixel;
  let unmanaged: ConnectedPixel;
  before(async () => {
    t = await startCapigTest();
    a = await t.connectPixel(await t.newAccount());
    b = await t.connectPixel(await t.newAccount());
    const hidden = await t.newAccount({ managed: false });
    const pixelId = newPixelId();
    const { accessKey } = await t.gw.gateway.accounts.addPixel({ pixelId, tenantId: hidden, accessToken: 'EAAh' });
    unmanaged = { tenantId: hidden, pixelId, accessKey, token: 'EAAh' };
    await t.gw.gateway.accounts.setEventFilter(b.tenantId, null, 'SecretEvent', 'DROP');
    await t.gw.gateway.accounts.setDomainFilter(b.tenantId, b.pixelId, 'secret.example', 'DROP');
    for (const px of [a, b, unmanaged]) {
      const url = `https://${px === a ? 'a' : px === b ? 'b' : 'hidden'}.example/`;
      await t.gw.postServer(px.pixelId, { data: [serverEvent({ event_source_url: url })] }, px.accessKey);
    }
    await waitFor(async () => (await t.gw.gateway.queue.depth()) === 0, 'published');
  });
  after(() => t.stop());

  const ACCOUNT = `query A($tenantId: ID!) { tenantQueries(tenantId: $tenantId) { account { name
    signalConfigs { connectionId domains connectionStatus { accessKey totalEventsReceived } } } } }`;
  const METRICS = `query M($tenantId: ID!, $pixelIds: [String!]) { tenantQueries(tenantId: $tenantId) {
    eventMetrics(pixelIds: $pixelIds) { incoming { eventsCount } activity { name } domainActivity { domainName } } } }`;
  const FILTERS = `query F($tenantId: ID!) { tenantQueries(tenantId: $tenantId) {
    eventFilters { eventName } domainFilters { domain } } }`;
  const SIGNAL = (field: string) => `mutation S($tenantId: ID!, $id: ID!) { tenantMutations(tenantId: $tenantId) {
    signalMutations { ${field} } } }`;
  const mutations = {
    deleteDataSource: SIGNAL('deleteDataSource(id: $id)'),
    updateSignalConfigEventsStatus: SIGNAL('updateSignalConfigEventsStatus(id: $id, input: {status: 0}) { success }'),
    updateSignalConfigCapiPublish: SIGNAL('updateSignalConfigCapiPublish(id: $id, input: {status: 0}) { success }'),
    updateSignalConfigAccessToken: SIGNAL('updateSignalConfigAccessToken(id: $id, accessToken: "EAAx") { id }'),
  };

  test('an unmanaged (or unknown) account is a 404 for an API account, for every query and mutation', async () => {
    for (const tenantId of [unmanaged.tenantId, 'nOsUchId']) {
      for (const q of [ACCOUNT, METRICS, FILTERS]) {
        const res = await t.gql(q, { tenantId });
        assert.deepEqual(codes(res), [404]);
        assert.equal(res.body.data?.tenantQueries, null);
      }
      for (const m of Object.values(mutations)) {
        assert.deepEqual(codes(await t.gql(m, { tenantId, id: unmanaged.pixelId })), [404]);
      }
      const input = { pixelId: newPixelId(), businessId: '1', accessToken: 'EAAx', externalId: '' };
      assert.deepEqual(codes(await t.gql(SETUP, { tenantId, input })), [404]);
    }
    // Nothing changed on the hidden pixel.
    const [row] = await t.gw.gateway.db.query<{ receiving_enabled: boolean }>(
      'SELECT receiving_enabled FROM pixels WHERE pixel_id = $1',
      [unmanaged.pixelId],
    );
    assert.equal(row?.receiving_enabled, true);
  });

  test("another account's pixel id is a 404 in account A's mutations and stays untouched", async () => {
    for (const [name, m] of Object.entries(mutations)) {
      const res = await t.gql(m, { tenantId: a.tenantId, id: b.pixelId });
      assert.deepEqual(codes(res), [404], name);
      assert.match(res.body.errors?.[0]?.message ?? '', new RegExp(`pixel ${b.pixelId} not found in account`));
    }
    const filter = `mutation E($tenantId: ID!, $p: [String!]) { tenantMutations(tenantId: $tenantId) {
      updateEventFilter(input: {eventName: "Lead", pixelIds: $p, filterState: DROP}) { updatedFilter { id } } } }`;
    assert.deepEqual(codes(await t.gql(filter, { tenantId: a.tenantId, p: [b.pixelId] })), [404]);
    const [row] = await t.gw.gateway.db.query<{ receiving_enabled: boolean; publishing_enabled: boolean }>(
      'SELECT receiving_enabled, publishing_enabled FROM pixels WHERE pixel_id = $1',
      [b.pixelId],
    );
    assert.deepEqual(row, { receiving_enabled: true, publishing_enabled: true });
  });

  test("account B's pixels, traffic and filters never appear when querying account A", async () => {
    const account = (await t.gql(ACCOUNT, { tenantId: a.tenantId })).body.data.tenantQueries.account;
    assert.deepEqual(
      account.signalConfigs.map((c: any) => [c.connectionId, c.domains, c.connectionStatus.totalEventsReceived]),
      [[a.pixelId, ['a.example'], 1]],
    );
    const metrics = (await t.gql(METRICS, { tenantId: a.tenantId })).body.data.tenantQueries.eventMetrics;
    assert.equal(metrics.incoming.eventsCount, 1);
    assert.deepEqual(
      metrics.domainActivity.map((d: any) => d.domainName),
      ['a.example'],
    );
    const named = (await t.gql(METRICS, { tenantId: a.tenantId, pixelIds: [b.pixelId, unmanaged.pixelId] })).body.data
      .tenantQueries.eventMetrics;
    assert.deepEqual(named, { incoming: { eventsCount: 0 }, activity: [], domainActivity: [] });
    const filters = (await t.gql(FILTERS, { tenantId: a.tenantId })).body.data.tenantQueries;
    assert.deepEqual(filters, { eventFilters: [], domainFilters: [] });
    const ofB = (await t.gql(FILTERS, { tenantId: b.tenantId })).body.data.tenantQueries;
    assert.deepEqual(ofB, {
      eventFilters: [{ eventName: 'SecretEvent' }],
      domainFilters: [{ domain: 'secret.example' }],
    });
  });

  test('the repos filter by account in SQL: a scope without the account reads and deletes nothing', async () => {
    const db = t.gw.gateway.db;
    const wrong = { tenantId: b.tenantId, visibleTenantIds: [a.tenantId] };
    assert.deepEqual(await listPixels(db, wrong), []);
    assert.equal(await findPixel(db, wrong, b.pixelId), null);
    assert.deepEqual(await filterRows(db, wrong, 'event'), []);
    assert.deepEqual(await activityInWindow(db, wrong, 60, null), []);
    assert.equal((await pixelWindows(db, wrong, 60, [b.pixelId])).size, 0);
    assert.equal(await db.transaction((tx) => deletePixel(tx, wrong, b.pixelId)), null);
    // A pixel id of account B asked for under account A is not found either.
    const mixed = { tenantId: a.tenantId, visibleTenantIds: [a.tenantId, b.tenantId] };
    assert.equal(await findPixel(db, mixed, b.pixelId), null);
    assert.equal((await listPixels(db, { tenantId: b.tenantId, visibleTenantIds: [b.tenantId] })).length, 1);
  });

  test('no token, a forged token and an expired token are 401 before anything runs', async () => {
    const [account] = await t.gw.gateway.db.query<{ id: string }>('SELECT id FROM api_accounts');
    const exp = Math.floor(Date.now() / 1000) - 1;
    const expired = `capig_${createSigner(TEST_SECRET, 'api-token').sign({ a: account?.id, exp })}`;
    for (const token of [null, 'capig_forged.token', expired]) {
      const res = await t.gql(ACCOUNT, { tenantId: a.tenantId }, token);
      assert.equal(res.status, 401);
      assert.deepEqual(codes(res), [401]);
      assert.equal(res.body.data, undefined);
    }
    // The same token one minute from expiry still works: it was refused for its age alone.
    const fresh = createSigner(TEST_SECRET, 'api-token').sign({ a: account?.id, exp: exp + 61 });
    assert.equal((await t.gql(ACCOUNT, { tenantId: a.tenantId }, `capig_${fresh}`)).status, 200);
  });
});
