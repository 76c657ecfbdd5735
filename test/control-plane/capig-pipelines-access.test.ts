import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { migrate } from '../../src/database/migrate.js';
import { openPostgresDb } from '../../src/database/postgres-db.js';
import { createAccountsRepo } from '../../src/database/repos/accounts-repo.js';
import { createSecretBox } from '../../src/platform/secret-box.js';
import { createTestDatabase, serverEvent, TEST_DATABASE_URL, TEST_SECRET, waitFor } from '../harness.js';
import { type CapigTest, newPixelId, SETUP, startCapigTest } from './capig-api.js';
import {
  CREATE_PIPELINE,
  DATA_DESTINATIONS,
  DATA_SOURCES,
  DELETE_PIPELINE,
  DESTINATION_ID,
  GET_PIPELINE,
  newDestination,
  newPipeline,
  newSource,
  ok,
  PIPELINE_ID,
  UPDATE_PIPELINE_FILTER,
} from './capig-pipelines-api.js';
import { signInAs } from './people.js';

// Who may do what with pipelines (view reads, manage writes, another account sees nothing), and a
// pixel connected before pipelines existed, which migration 0005 turns into a Meta CAPI pipeline.
describe('capig pipelines: roles and accounts', () => {
  let t: CapigTest;
  let tenantId: string;
  let pipelineId: string;
  let sourceId: string;
  before(async () => {
    t = await startCapigTest();
    tenantId = await t.newAccount();
    pipelineId = await newPipeline(t, tenantId);
    sourceId = await newSource(t, tenantId, pipelineId);
    await newDestination(t, tenantId, pipelineId);
  });
  after(() => t.stop());

  test('view reads pipelines, sources and destinations, without the source keys, and cannot write', async () => {
    const viewer = await signInAs(t.gw, { roles: [`advertiser-view-${tenantId}`] });
    const read = await viewer.gql(GET_PIPELINE, { tenantId, id: pipelineId }, { path: 'capig' });
    assert.equal(read.body.errors, undefined, JSON.stringify(read.body.errors));
    assert.equal(read.body.data.tenantQueries.pipeline.dataSources[0].id, sourceId);
    const sources = await viewer.gql(DATA_SOURCES, { tenantId }, { path: 'capig' });
    assert.equal(sources.body.data.tenantQueries.dataSourcesQuery[0].accessKey, null, 'keys need the manage level');

    for (const [query, variables] of [
      [CREATE_PIPELINE, { tenantId, name: 'x' }],
      [DELETE_PIPELINE, { tenantId, id: pipelineId }],
      [UPDATE_PIPELINE_FILTER, { tenantId, input: { pipelineId, blockedEventTypes: ['Lead'] } }],
    ] as const) {
      const res = await viewer.gql(query, variables, { path: 'capig' });
      assert.deepEqual(
        res.body.errors?.map((e) => e.extensions?.code),
        [401],
        query,
      );
    }
    assert.ok(ok(await t.gql(GET_PIPELINE, { tenantId, id: pipelineId })).tenantQueries.pipeline, 'nothing changed');

    const manager = await signInAs(t.gw, { roles: [`advertiser-manage-${tenantId}`] });
    const created = await manager.gql(CREATE_PIPELINE, { tenantId, name: 'By a manager' }, { path: 'capig' });
    assert.match(created.body.data.tenantMutations.dataPipelineMutations.createPipeline.id, PIPELINE_ID);
    const keyed = await manager.gql(DATA_SOURCES, { tenantId }, { path: 'capig' });
    assert.match(keyed.body.data.tenantQueries.dataSourcesQuery[0].accessKey, /^[A-Za-z0-9_-]{20,}$/);
  });

  test("another account's people see none of it, and its ids are not found from their account", async () => {
    const other = await t.newAccount();
    const stranger = await signInAs(t.gw, { roles: [`advertiser-manage-${other}`] });
    const direct = await stranger.gql(GET_PIPELINE, { tenantId, id: pipelineId }, { path: 'capig' });
    assert.deepEqual(
      direct.body.errors?.map((e) => e.extensions?.code),
      [404],
    );
    const through = await stranger.gql(GET_PIPELINE, { tenantId: other, id: pipelineId }, { path: 'capig' });
    assert.deepEqual(
      through.body.errors?.map((e) => e.extensions?.code),
      [404],
    );
    const del = await stranger.gql(DELETE_PIPELINE, { tenantId: other, id: pipelineId }, { path: 'capig' });
    assert.deepEqual(
      del.body.errors?.map((e) => e.extensions?.code),
      [404],
    );
    const lists = await stranger.gql(DATA_SOURCES, { tenantId: other }, { path: 'capig' });
    assert.deepEqual(lists.body.data.tenantQueries.dataSourcesQuery, []);
    assert.ok(ok(await t.gql(GET_PIPELINE, { tenantId, id: pipelineId })).tenantQueries.pipeline);
  });

  test("a pixel whose id is another account's source is refused, and never joins that source", async () => {
    const other = await t.newAccount();
    const input = { pixelId: sourceId, businessId: newPixelId(), accessToken: 'EAAclash', externalId: '' };
    const clash = await t.gql(SETUP, { tenantId: other, input });
    assert.deepEqual(
      clash.body.errors?.map((e) => e.extensions?.code),
      [409],
    );
    const sources = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery;
    const mine = sources.find((s: { id: string }) => s.id === sourceId);
    assert.deepEqual(
      mine.associatedPipelines.map((p: { id: string }) => p.id),
      [pipelineId],
      'the source keeps its own pipeline only',
    );
  });

  test('an unmanaged account is not reachable by the API account (a host principal)', async () => {
    const unmanaged = await t.newAccount({ managed: false });
    const res = await t.gql(CREATE_PIPELINE, { tenantId: unmanaged, name: 'x' });
    assert.deepEqual(
      res.body.errors?.map((e) => e.extensions?.code),
      [404],
    );
  });
});

describe('capig pipelines: a pixel connected before pipelines existed', () => {
  let t: CapigTest;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const tenantId = 'Ol4Acct1';
  const pixelId = newPixelId();
  let accessKey: string;

  before(async () => {
    // The database as the previous release left it: migrations up to 0004, one pixel connected.
    database = await createTestDatabase(TEST_DATABASE_URL);
    const db = openPostgresDb(database.url, { max: 1 });
    try {
      await migrate(db, { upTo: 4 });
      const accounts = createAccountsRepo(db, createSecretBox(TEST_SECRET));
      await accounts.createTenant({ id: tenantId, name: 'Old shop' });
      ({ accessKey } = await accounts.addPixel({ pixelId, tenantId, accessToken: 'EAAold', name: 'Old pixel' }));
    } finally {
      await db.close();
    }
    t = await startCapigTest({ databaseUrl: database.url });
  });
  after(async () => {
    await t.stop();
    await database.drop();
  });

  test('it appears as a Meta CAPI pipeline with its pixel as source and a Meta destination in its lane', async () => {
    const sources = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery;
    assert.equal(sources.length, 1);
    assert.deepEqual(
      { id: sources[0].id, name: sources[0].name, type: sources[0].type, active: sources[0].active },
      { id: pixelId, name: 'Old pixel', type: 'META_PIXEL', active: true },
    );
    assert.equal(sources[0].accessKey, accessKey);
    const [basic] = sources[0].associatedPipelines;
    assert.match(basic.id, PIPELINE_ID);
    assert.deepEqual(
      { name: basic.name, type: basic.type },
      { name: `Conversions API Gateway (${pixelId})`, type: 'META_CAPI_PIPELINE' },
    );
    const pipeline = ok(await t.gql(GET_PIPELINE, { tenantId, id: basic.id })).tenantQueries.pipeline;
    assert.equal(pipeline.active, true);
    assert.deepEqual(pipeline.dataFilter, { filterStatus: false, blockedEventTypes: [] });
    assert.equal(pipeline.dataDestinations.length, 1);
    const [dest] = ok(await t.gql(DATA_DESTINATIONS, { tenantId })).tenantQueries.dataDestinationsQuery;
    assert.match(dest.id, DESTINATION_ID);
    assert.equal(dest.type, 'META_CONVERSIONS_API');
    assert.equal(dest.name, `Meta Dataset (${pixelId})`);
    assert.deepEqual(dest.metaCAPIConfig, { dataSetId: pixelId });
    assert.equal(dest.lane, pixelId);
    assert.deepEqual(pipeline.pipelineDestinationFilters, [
      {
        id: `pipelineDestinationFilter:${basic.id}:${dest.id}`,
        destinationId: dest.id,
        destinationFilterStatus: false,
        destinationFilterBlockedEventTypes: [],
      },
    ]);
  });

  test('it keeps delivering as before', async () => {
    const res = await t.gw.postServer(pixelId, { data: [serverEvent()] }, accessKey);
    assert.equal(res.status, 200, await res.text());
    await waitFor(() => t.gw.fake.events(pixelId).length === 1, 'the event reached Meta');
    assert.equal(t.gw.fake.events(pixelId)[0]?.access_token_last4, 'Aold');
  });
});
