import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverEvent, waitFor } from '../harness.js';
import { type CapigTest, newPixelId, startCapigTest } from './capig-api.js';
import {
  CREATE_CAPIG_PIPELINE,
  CREATE_PIPELINE,
  DATA_DESTINATIONS,
  DATA_SOURCES,
  DELETE_PIPELINE,
  DESTINATION_ID,
  failure,
  GET_PIPELINE,
  newDestination,
  newPipeline,
  ok,
  PIPELINE_ID,
  UPDATE_DESTINATION_FILTER,
  UPDATE_PIPELINE,
  UPDATE_PIPELINE_FILTER,
} from './capig-pipelines-api.js';

// Meta's pipeline operations (capig-control-plane.md B.6) through /capig/graphql/: ids, defaults
// and answers as Meta's samples show them, the filters, and pixel connections as Meta CAPI pipelines.
describe('capig pipelines: createPipeline, pipeline, updatePipeline, filters, deletePipeline', () => {
  let t: CapigTest;
  let tenantId: string;
  before(async () => {
    t = await startCapigTest();
    tenantId = await t.newAccount();
  });
  after(() => t.stop());

  test("createPipeline answers Meta's sample: an sg_v1_pl_ id, active, nothing in it yet", async () => {
    const data = ok(await t.gql(CREATE_PIPELINE, { tenantId, name: 'Web and CRM' }));
    const p = data.tenantMutations.dataPipelineMutations.createPipeline;
    assert.match(p.id, PIPELINE_ID);
    assert.deepEqual(
      { ...p, id: 'x' },
      {
        id: 'x',
        name: 'Web and CRM',
        active: true,
        type: 'GATEWAY_PIPELINE',
        dataSources: [],
        dataDestinations: [],
        dataFilter: { filterStatus: false, blockedEventTypes: [] },
        pipelineDestinationFilters: [],
      },
    );
    const again = ok(await t.gql(GET_PIPELINE, { tenantId, id: p.id })).tenantQueries.pipeline;
    assert.deepEqual(again, p);
  });

  test('a blank name gets the default "Pipeline <6 characters>"', async () => {
    const data = ok(await t.gql(CREATE_PIPELINE, { tenantId, name: '  ' }));
    assert.match(data.tenantMutations.dataPipelineMutations.createPipeline.name, /^Pipeline [A-Za-z0-9]{6}$/);
  });

  test('updatePipeline changes what is sent and keeps the rest; an unknown id is a 404', async () => {
    const id = await newPipeline(t, tenantId, 'Before');
    const renamed = ok(await t.gql(UPDATE_PIPELINE, { tenantId, input: { id, name: 'After' } }));
    assert.deepEqual(renamed.tenantMutations.dataPipelineMutations.updatePipeline, {
      id,
      name: 'After',
      active: true,
      type: 'GATEWAY_PIPELINE',
    });
    const paused = ok(await t.gql(UPDATE_PIPELINE, { tenantId, input: { id, active: false } }));
    assert.equal(paused.tenantMutations.dataPipelineMutations.updatePipeline.name, 'After');
    assert.equal(paused.tenantMutations.dataPipelineMutations.updatePipeline.active, false);

    const missing = failure(await t.gql(UPDATE_PIPELINE, { tenantId, input: { id: 'sg_v1_pl_nope', name: 'x' } }));
    assert.equal(missing.code, 404);
    const blank = failure(await t.gql(UPDATE_PIPELINE, { tenantId, input: { id, name: ' ' } }));
    assert.equal(blank.code, 400);
    assert.match(blank.message, /name is empty/);
  });

  test('updatePipelineFilter answers as Meta does; the destination filter gets its pipelineDestinationFilter id', async () => {
    const pipelineId = await newPipeline(t, tenantId);
    const filter = ok(
      await t.gql(UPDATE_PIPELINE_FILTER, {
        tenantId,
        input: { pipelineId, blockedEventTypes: ['PageView', 'ViewContent', 'PageView', ' '] },
      }),
    ).tenantMutations.dataPipelineMutations.updatePipelineFilter;
    // Meta's sample: a list without a status still answers filterStatus false.
    assert.deepEqual(filter, { filterStatus: false, blockedEventTypes: ['PageView', 'ViewContent'] });
    const on = ok(await t.gql(UPDATE_PIPELINE_FILTER, { tenantId, input: { pipelineId, filterStatus: true } }));
    assert.deepEqual(on.tenantMutations.dataPipelineMutations.updatePipelineFilter, {
      filterStatus: true,
      blockedEventTypes: ['PageView', 'ViewContent'],
    });

    const dest = await newDestination(t, tenantId, pipelineId);
    assert.match(dest.id, DESTINATION_ID);
    const df = ok(
      await t.gql(UPDATE_DESTINATION_FILTER, {
        tenantId,
        input: { pipelineId, destinationId: dest.id, destinationFilterBlockedEventTypes: ['Lead'] },
      }),
    ).tenantMutations.dataPipelineMutations.updatePipelineDestinationFilter;
    assert.deepEqual(df, {
      id: `pipelineDestinationFilter:${pipelineId}:${dest.id}`,
      destinationId: dest.id,
      destinationFilterStatus: true,
      destinationFilterBlockedEventTypes: ['Lead'],
    });
    const p = ok(await t.gql(GET_PIPELINE, { tenantId, id: pipelineId })).tenantQueries.pipeline;
    assert.deepEqual(p.dataFilter, { filterStatus: true, blockedEventTypes: ['PageView', 'ViewContent'] });
    assert.deepEqual(p.pipelineDestinationFilters, [df]);
    assert.deepEqual(
      p.dataDestinations.map((d: { id: string }) => d.id),
      [dest.id],
    );

    const elsewhere = await newPipeline(t, tenantId);
    const notLinked = failure(
      await t.gql(UPDATE_DESTINATION_FILTER, {
        tenantId,
        input: { pipelineId: elsewhere, destinationId: dest.id, destinationFilterBlockedEventTypes: [] },
      }),
    );
    assert.equal(notLinked.code, 404);
  });

  test('deletePipeline answers the id; the pipeline is gone, its destinations stay listed', async () => {
    const id = await newPipeline(t, tenantId);
    const dest = await newDestination(t, tenantId, id, 'CUSTOM_HTTP_API', 'Kept');
    const data = ok(await t.gql(DELETE_PIPELINE, { tenantId, id }));
    assert.equal(data.tenantMutations.dataPipelineMutations.deletePipeline, id);
    const gone = await t.gql(GET_PIPELINE, { tenantId, id });
    assert.equal(failure(gone).code, 404);
    const list = ok(await t.gql(DATA_DESTINATIONS, { tenantId })).tenantQueries.dataDestinationsQuery;
    const kept = list.find((d: { id: string }) => d.id === dest.id);
    assert.deepEqual(kept.associatedPipelines, []);
    assert.equal(failure(await t.gql(DELETE_PIPELINE, { tenantId, id })).code, 404);
  });

  test('pipelines (extension) lists every pipeline of the account, empty ones too, by type; no other account', async () => {
    const account = await t.newAccount();
    const empty = await newPipeline(t, account);
    await t.connectPixel(account);
    const LIST = `query($tenantId: ID!, $type: PipelineType) { tenantQueries(tenantId: $tenantId) {
      pipelines(type: $type) { id type dataSources { type } } } }`;
    const all = ok(await t.gql(LIST, { tenantId: account })).tenantQueries.pipelines;
    assert.deepEqual(
      all.map((p: { type: string }) => p.type),
      ['GATEWAY_PIPELINE', 'META_CAPI_PIPELINE'],
    );
    assert.equal(all[0].id, empty);
    assert.deepEqual(all[0].dataSources, []);
    const meta = ok(await t.gql(LIST, { tenantId: account, type: 'META_CAPI_PIPELINE' })).tenantQueries.pipelines;
    assert.deepEqual(
      meta.map((p: { dataSources: unknown }) => p.dataSources),
      [[{ type: 'META_PIXEL' }]],
    );
    const other = ok(await t.gql(LIST, { tenantId })).tenantQueries.pipelines;
    assert.equal(
      other.some((p: { id: string }) => p.id === empty),
      false,
    );
  });
});

describe('capig pipelines: pixel connections are Meta CAPI pipelines', () => {
  let t: CapigTest;
  before(async () => {
    t = await startCapigTest();
  });
  after(() => t.stop());

  const capigVars = (tenantId: string, over: Record<string, unknown> = {}) => ({
    tenantId,
    pixelId: newPixelId(),
    businessId: '2840127409433732',
    accessToken: `EAAtok${Date.now()}`,
    apiVersion: 'v24.0',
    externalId: '633612748410ba6e902',
    ...over,
  });

  test('createConversionApiGatewayPipeline: the pixel as META_PIXEL source, a Meta destination, OpenBridge', async () => {
    const tenantId = await t.newAccount();
    const vars = capigVars(tenantId);
    const p = ok(await t.gql(CREATE_CAPIG_PIPELINE, vars)).tenantMutations.dataPipelineMutations
      .createConversionApiGatewayPipeline;
    assert.match(p.id, PIPELINE_ID);
    assert.equal(p.name, `Conversions API Gateway (${vars.pixelId})`);
    assert.equal(p.type, 'META_CAPI_PIPELINE');
    assert.equal(p.active, true);
    assert.deepEqual(
      p.dataSources.map((s: Record<string, unknown>) => [s.id, s.type]),
      [[vars.pixelId, 'META_PIXEL']],
    );
    assert.equal(p.dataDestinations.length, 1);
    const [dest] = p.dataDestinations;
    assert.match(dest.id, DESTINATION_ID);
    assert.equal(dest.type, 'META_CONVERSIONS_API');
    assert.equal(dest.name, `Meta Dataset (${vars.pixelId})`);
    assert.deepEqual(dest.metaCAPIConfig, { dataSetId: vars.pixelId });
    assert.deepEqual(dest.associatedPipelines, [{ id: p.id, name: p.name, type: 'META_CAPI_PIPELINE' }]);
    assert.equal(t.gw.fake.openbridgeConfigurations().filter((c) => c.pixel_id === vars.pixelId).length, 1);

    // The connection works as one made by setupPixelSignalConfig: its key sends to Meta.
    const sources = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery;
    const key = sources.find((s: { id: string }) => s.id === vars.pixelId).accessKey;
    const sent = await t.gw.postServer(vars.pixelId, { data: [serverEvent()] }, key);
    assert.equal(sent.status, 200);
    await waitFor(() => t.gw.fake.events(vars.pixelId).length === 1, 'event published');
  });

  test('createOB false skips OpenBridge; pipelineName is used; a taken pixel is a 409', async () => {
    const tenantId = await t.newAccount();
    const vars = capigVars(tenantId, { createOB: false, pipelineName: 'Shop pixel' });
    const p = ok(await t.gql(CREATE_CAPIG_PIPELINE, vars)).tenantMutations.dataPipelineMutations
      .createConversionApiGatewayPipeline;
    assert.equal(p.name, 'Shop pixel');
    assert.equal(t.gw.fake.openbridgeConfigurations().filter((c) => c.pixel_id === vars.pixelId).length, 0);
    const again = failure(await t.gql(CREATE_CAPIG_PIPELINE, { ...vars, tenantId: await t.newAccount() }));
    assert.equal(again.code, 409);
  });

  test('a token Meta rejects is refused with its message and nothing is stored', async () => {
    const tenantId = await t.newAccount();
    const vars = capigVars(tenantId);
    t.gw.fake.revokeToken(vars.accessToken);
    const res = failure(await t.gql(CREATE_CAPIG_PIPELINE, vars));
    assert.equal(res.code, 400);
    assert.match(res.message, /Meta rejected the access token/);
    const rows = await t.gw.gateway.db.query('SELECT 1 FROM pipelines WHERE pixel_id = $1', [vars.pixelId]);
    assert.equal(rows.length, 0);
  });

  test('setupPixelSignalConfig makes the same pipeline; deleting the pipeline removes the connection', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    const sources = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery;
    assert.equal(sources.length, 1);
    assert.equal(sources[0].id, px.pixelId);
    assert.equal(sources[0].type, 'META_PIXEL');
    assert.equal(sources[0].accessKey, px.accessKey, "a pixel's source presents the pixel's key");
    const [pipeline] = sources[0].associatedPipelines;
    assert.equal(pipeline.type, 'META_CAPI_PIPELINE');
    assert.equal(pipeline.name, `Conversions API Gateway (${px.pixelId})`);
    const dests = ok(await t.gql(DATA_DESTINATIONS, { tenantId })).tenantQueries.dataDestinationsQuery;
    assert.equal(dests.length, 1);
    assert.equal(dests[0].lane, px.pixelId, "a pixel connection's destination delivers in the pixel's lane");

    // Only the name and the active flag of a Meta CAPI pipeline change; its filters are the pixel's.
    const renamed = ok(await t.gql(UPDATE_PIPELINE, { tenantId, input: { id: pipeline.id, name: 'Shop' } }));
    assert.equal(renamed.tenantMutations.dataPipelineMutations.updatePipeline.name, 'Shop');
    const filter = failure(
      await t.gql(UPDATE_PIPELINE_FILTER, {
        tenantId,
        input: { pipelineId: pipeline.id, blockedEventTypes: ['Lead'] },
      }),
    );
    assert.equal(filter.code, 400);
    assert.match(filter.message, /updateEventFilter/);
    const add = failure(
      await t.gql(
        `mutation($tenantId: ID!, $input: CreateDataDestinationInput!) { tenantMutations(tenantId: $tenantId) {
          dataDestinationMutations { createDataDestination(input: $input) { id } } } }`,
        { tenantId, input: { name: 'x', type: 'CUSTOM_HTTP_API', pipelineId: pipeline.id } },
      ),
    );
    assert.equal(add.code, 400);
    assert.match(add.message, /fixed/);

    assert.equal(
      ok(await t.gql(DELETE_PIPELINE, { tenantId, id: pipeline.id })).tenantMutations.dataPipelineMutations
        .deletePipeline,
      pipeline.id,
    );
    const left = await t.gw.gateway.db.query(
      `SELECT (SELECT count(*) FROM pixels WHERE pixel_id = $1)::int AS pixels,
              (SELECT count(*) FROM data_sources WHERE id = $1)::int AS sources,
              (SELECT count(*) FROM data_destinations WHERE pixel_id = $1)::int AS destinations`,
      [px.pixelId],
    );
    assert.deepEqual(left[0], { pixels: 0, sources: 0, destinations: 0 });
    const refused = await t.gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey);
    assert.notEqual(refused.status, 200, 'the removed pixel takes no more events');
  });

  test("signalMutations.deleteDataSource removes the pixel's pipeline with it", async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    ok(
      await t.gql(
        `mutation($tenantId: ID!, $id: ID!) { tenantMutations(tenantId: $tenantId) { signalMutations {
          deleteDataSource(id: $id) } } }`,
        { tenantId, id: px.pixelId },
      ),
    );
    const rows = await t.gw.gateway.db.query('SELECT 1 FROM pipelines WHERE tenant_id = $1', [tenantId]);
    assert.equal(rows.length, 0);
  });
});
