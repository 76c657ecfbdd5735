import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Level } from '../../src/control-plane/access.js';
import { type CapigTest, type ConnectedPixel, newPixelId, startCapigTest } from './capig-api.js';
import { signInAs } from './people.js';

// What each role may do on /capig/graphql/: view sees (without the server-events key), manage
// changes pixels and filters, and host roles reach managed accounts only. People sign in through
// POST /auth/login; every request goes through the HTTP edge with the session cookie and CSRF token.
describe('capig: roles of people', () => {
  let t: CapigTest;
  let px: ConnectedPixel;
  let hidden: string;
  before(async () => {
    t = await startCapigTest();
    px = await t.connectPixel(await t.newAccount());
    hidden = await t.newAccount({ managed: false });
  });
  after(() => t.stop());

  /** A signed-in person with a host level and/or account levels. */
  function person(host: Level | null, tenants: Record<string, Level> = {}) {
    const roles = [
      ...(host ? [`agency-${host}`] : []),
      ...Object.entries(tenants).map(([id, level]) => `advertiser-${level}-${id}`),
    ];
    return signInAs(t.gw, { roles });
  }

  async function gql(who: ReturnType<typeof person>, query: string, variables: Record<string, unknown>) {
    const res = await (await who).gql(query, variables, { path: 'capig' });
    assert.equal(res.status, 200);
    return {
      data: res.body.data ?? null,
      codes: (res.body.errors ?? []).map((e) => e.extensions?.code),
    };
  }

  const ACCOUNT = `query A($tenantId: ID!) { tenantQueries(tenantId: $tenantId) { account {
    signalConfigs { connectionStatus { accessKey pixelID } } } } }`;
  const mutations: Record<string, [string, Record<string, unknown>]> = {
    setupPixelSignalConfig: [
      `mutation M($tenantId: ID!, $input: PixelConnectionCreationInput!) { tenantMutations(tenantId: $tenantId) {
        signalMutations { setupPixelSignalConfig(input: $input) { id } } } }`,
      { input: { pixelId: '1', businessId: '2', accessToken: 'EAAx', externalId: '' } },
    ],
    deleteDataSource: [
      `mutation M($tenantId: ID!, $id: ID!) { tenantMutations(tenantId: $tenantId) {
        signalMutations { deleteDataSource(id: $id) } } }`,
      {},
    ],
    updateSignalConfigEventsStatus: [
      `mutation M($tenantId: ID!, $id: ID!) { tenantMutations(tenantId: $tenantId) {
        signalMutations { updateSignalConfigEventsStatus(id: $id, input: {status: 1}) { success } } } }`,
      {},
    ],
    updateSignalConfigCapiPublish: [
      `mutation M($tenantId: ID!, $id: ID!) { tenantMutations(tenantId: $tenantId) {
        signalMutations { updateSignalConfigCapiPublish(id: $id, input: {status: 1}) { success } } } }`,
      {},
    ],
    updateSignalConfigAccessToken: [
      `mutation M($tenantId: ID!, $id: ID!) { tenantMutations(tenantId: $tenantId) {
        signalMutations { updateSignalConfigAccessToken(id: $id, accessToken: "EAAy") { id } } } }`,
      {},
    ],
    updateEventFilter: [
      `mutation M($tenantId: ID!) { tenantMutations(tenantId: $tenantId) {
        updateEventFilter(input: {eventName: "Lead", filterState: DROP}) { updatedFilter { id } } } }`,
      {},
    ],
    updateDomainFilter: [
      `mutation M($tenantId: ID!) { tenantMutations(tenantId: $tenantId) {
        updateDomainFilter(input: {domain: "x.example", filterState: DROP}) { updatedFilter { id } } } }`,
      {},
    ],
  };

  test('view (account or host role) reads the pixels without their server-events key', async () => {
    for (const viewer of [person(null, { [px.tenantId]: 'view' }), person('view')]) {
      const res = await gql(viewer, ACCOUNT, { tenantId: px.tenantId });
      assert.deepEqual(res.codes, []);
      assert.deepEqual(res.data.tenantQueries.account.signalConfigs, [
        { connectionStatus: { accessKey: null, pixelID: px.pixelId } },
      ]);
    }
    const manager = await gql(person(null, { [px.tenantId]: 'manage' }), ACCOUNT, { tenantId: px.tenantId });
    assert.equal(manager.data.tenantQueries.account.signalConfigs[0].connectionStatus.accessKey, px.accessKey);
  });

  test('view cannot run any mutation (401); nothing changes', async () => {
    for (const viewer of [person(null, { [px.tenantId]: 'view' }), person('view')]) {
      for (const [name, [query, vars]] of Object.entries(mutations)) {
        const res = await gql(viewer, query, { tenantId: px.tenantId, id: px.pixelId, ...vars });
        assert.deepEqual(res.codes, [401], name);
      }
    }
    const [row] = await t.gw.gateway.db.query('SELECT count(*)::int AS n FROM event_filters WHERE tenant_id = $1', [
      px.tenantId,
    ]);
    assert.deepEqual(row, { n: 0 });
  });

  test('manage (account or host role) may change pixels and filters', async () => {
    for (const manager of [person(null, { [px.tenantId]: 'manage' }), person('manage')]) {
      for (const name of ['updateSignalConfigEventsStatus', 'updateEventFilter', 'updateDomainFilter']) {
        const [query, vars] = mutations[name]!;
        const res = await gql(manager, query, { tenantId: px.tenantId, id: px.pixelId, ...vars });
        assert.deepEqual(res.codes, [], name);
      }
    }
    const admin = person(null, { [px.tenantId]: 'admin' });
    const [query] = mutations.setupPixelSignalConfig!;
    const input = { pixelId: newPixelId(), businessId: '2', accessToken: 'EAAz', externalId: '' };
    assert.deepEqual((await gql(admin, query, { tenantId: px.tenantId, input })).codes, []);
  });

  test('host roles do not reach an unmanaged account (404); an account role on it does', async () => {
    assert.deepEqual((await gql(person('admin'), ACCOUNT, { tenantId: hidden })).codes, [404]);
    assert.deepEqual((await gql(person(null, { [px.tenantId]: 'admin' }), ACCOUNT, { tenantId: hidden })).codes, [404]);
    const own = await gql(person(null, { [hidden]: 'view' }), ACCOUNT, { tenantId: hidden });
    assert.deepEqual(own.codes, []);
    assert.deepEqual(own.data.tenantQueries.account.signalConfigs, []);
  });
});
