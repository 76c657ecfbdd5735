import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GraphQLSchema } from 'graphql';
import { loadConfig } from '../../src/config.js';
import { type Level, loadAccess, type Principal } from '../../src/control-plane/access.js';
import type { ControlContext, ControlDeps } from '../../src/control-plane/context.js';
import { loadSdl, makeExecutableSchema } from '../../src/control-plane/graphql/executable-schema.js';
import { prepare, run } from '../../src/control-plane/graphql/execute.js';
import { createGraphApi } from '../../src/control-plane/graph-api.js';
import { capigResolvers } from '../../src/control-plane/resolvers/capig/index.js';
import { createSecretBox } from '../../src/platform/secret-box.js';
import { TEST_SECRET } from '../harness.js';
import { type CapigTest, type ConnectedPixel, newPixelId, startCapigTest } from './capig-api.js';

// What each role may do on /capig/graphql/: view sees (without the server-events key), manage
// changes pixels and filters, and host roles reach managed accounts only. People sign in with
// sessions (built elsewhere); here their principals run the real schema and resolvers directly.
describe('capig: roles of people', () => {
  let t: CapigTest;
  let schema: GraphQLSchema;
  let deps: ControlDeps;
  let px: ConnectedPixel;
  let hidden: string;
  before(async () => {
    t = await startCapigTest();
    schema = makeExecutableSchema(loadSdl('capig.graphql'), capigResolvers);
    const config = loadConfig({ CAPIG_SECRET_KEY: TEST_SECRET, CAPIG_GRAPH_API_URL: t.gw.fake.url });
    deps = {
      db: t.gw.gateway.db,
      box: createSecretBox(TEST_SECRET),
      accounts: t.gw.gateway.accounts,
      directory: t.gw.gateway.directory,
      graph: createGraphApi({ apiUrl: t.gw.fake.url, timeoutMs: 2000 }),
      config: { graph: config.graph, http: config.http, registerOpenBridge: false },
      log: t.gw.gateway.log,
      // Not used by /capig/graphql/.
      apiTokens: { forget: () => undefined },
      lookupCname: async () => [],
    };
    px = await t.connectPixel(await t.newAccount());
    hidden = await t.newAccount({ managed: false });
  });
  after(() => t.stop());

  function person(host: Level | null, tenants: Record<string, Level> = {}): Principal {
    return {
      kind: 'user',
      userId: `u-${Math.random()}`,
      email: 'someone@example.com',
      hostLevel: host,
      tenantLevels: new Map(Object.entries(tenants)),
      csrfToken: null,
    };
  }

  async function gql(principal: Principal, query: string, variables: Record<string, unknown>) {
    const prepared = prepare(schema, { query, variables });
    assert.ok(prepared.ok, 'valid document');
    const ctx: ControlContext = {
      deps,
      principal,
      access: await loadAccess(deps.db, principal),
      publicUrl: t.gw.url,
      requestId: 'test',
    };
    const result = await run(schema, prepared.document, { query, variables }, ctx, { error: () => undefined });
    return {
      data: JSON.parse(JSON.stringify(result.data ?? null)),
      codes: (result.errors ?? []).map((e) => e.extensions.code),
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
    const [row] = await deps.db.query('SELECT count(*)::int AS n FROM event_filters WHERE tenant_id = $1', [
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
