import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverEvent, waitFor } from '../harness.js';
import { type CapigTest, startCapigTest } from './capig-api.js';
import {
  CREATE_SOURCE,
  DATA_SOURCES,
  DELETE_SOURCE,
  failure,
  HEADER_CODE,
  newPipeline,
  newSource,
  ok,
  PIXEL_CONFIG,
  SOURCE_ID,
  UPDATE_SOURCE,
} from './capig-pipelines-api.js';

// Meta's data source operations (capig-control-plane.md B.6): createDataSourceForPipeline,
// dataSourcesQuery, updateDataSource, deleteDataSource, createGatewayPixelHeaderCode,
// updateGatewayPixelConfig.
describe('capig pipelines: data sources', () => {
  let t: CapigTest;
  let tenantId: string;
  let pipelineId: string;
  before(async () => {
    t = await startCapigTest();
    tenantId = await t.newAccount();
    pipelineId = await newPipeline(t, tenantId);
  });
  after(() => t.stop());

  const create = (vars: Record<string, unknown>) =>
    t.gql(CREATE_SOURCE, {
      tenantId,
      name: 'Shop tag',
      dataSourceType: 'ADVERTISER_HOSTED_PIXEL',
      pipelineId,
      ...vars,
    });

  test("Meta's sample: an ADVERTISER_HOSTED_PIXEL gets a 19-digit id; defaults name it", async () => {
    const s = ok(await create({})).tenantMutations.dataSourceMutations.createDataSourceForPipeline;
    assert.match(s.id, SOURCE_ID);
    assert.equal(s.name, 'Shop tag');
    assert.equal(s.type, 'ADVERTISER_HOSTED_PIXEL');
    assert.equal(s.active, true);
    assert.deepEqual(
      s.associatedPipelines.map((p: { id: string }) => p.id),
      [pipelineId],
    );
    const unnamed = ok(await create({ name: '' })).tenantMutations.dataSourceMutations.createDataSourceForPipeline;
    assert.match(unnamed.name, /^Signals Gateway Pixel [A-Za-z0-9]{6}$/);
    const sdk = ok(await create({ name: '', dataSourceType: 'ADVERTISER_HOSTED_SDK' })).tenantMutations
      .dataSourceMutations.createDataSourceForPipeline;
    assert.match(sdk.name, /^First-party App SDK [A-Za-z0-9]{6}$/);
  });

  test('a given dataSourceId is used; naming an existing source adds it to another pipeline', async () => {
    const id = '1234567890123456789';
    const s = ok(await create({ dataSourceId: id })).tenantMutations.dataSourceMutations.createDataSourceForPipeline;
    assert.equal(s.id, id);
    const second = await newPipeline(t, tenantId, 'Second');
    const linked = ok(await create({ dataSourceId: id, pipelineId: second })).tenantMutations.dataSourceMutations
      .createDataSourceForPipeline;
    assert.deepEqual(linked.associatedPipelines.map((p: { id: string }) => p.id).sort(), [pipelineId, second].sort());
    const otherAccount = await t.newAccount();
    const otherPipeline = await newPipeline(t, otherAccount);
    const taken = failure(
      await t.gql(CREATE_SOURCE, {
        tenantId: otherAccount,
        dataSourceId: id,
        name: 'x',
        dataSourceType: 'ADVERTISER_HOSTED_PIXEL',
        pipelineId: otherPipeline,
      }),
    );
    assert.equal(taken.code, 409);
    assert.ok(!taken.message.includes(tenantId), 'the other account is not named');
  });

  test('bad input is refused with a clear 400: ids, Meta pixels, unknown types, Meta CAPI pipelines', async () => {
    const badId = failure(await create({ dataSourceId: '123' }));
    assert.equal(badId.code, 400);
    assert.match(badId.message, /19 digits/);
    const pixel = failure(await create({ dataSourceType: 'META_PIXEL' }));
    assert.equal(pixel.code, 400);
    assert.match(pixel.message, /createConversionApiGatewayPipeline/);
    const unknown = failure(await create({ dataSourceType: 'UNKNOWN' }));
    assert.equal(unknown.code, 400);
    const px = await t.connectPixel(tenantId);
    const capiPipeline = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery.find(
      (s: { id: string }) => s.id === px.pixelId,
    ).associatedPipelines[0].id;
    const fixed = failure(await create({ pipelineId: capiPipeline }));
    assert.equal(fixed.code, 400);
    assert.match(fixed.message, /fixed/);
    assert.equal(failure(await create({ pipelineId: 'sg_v1_pl_missing' })).code, 404);
  });

  test('a source has its own key: server events to POST /capi/{id}/events with it are accepted', async () => {
    const id = await newSource(t, tenantId, pipelineId, 'ADVERTISER_HOSTED_SDK');
    const list = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery;
    const key = list.find((s: { id: string }) => s.id === id).accessKey;
    assert.match(key, /^[A-Za-z0-9_-]{20,}$/);
    assert.equal((await t.gw.postServer(id, { data: [serverEvent()] }, 'wrong-key')).status, 401);
    const res = await t.gw.postServer(id, { data: [serverEvent()] }, key);
    assert.equal(res.status, 200, await res.text());
  });

  test('updateDataSource takes dataSourceType (schema) or type (Meta sample variables)', async () => {
    const id = await newSource(t, tenantId, pipelineId);
    const a = ok(await t.gql(UPDATE_SOURCE, { tenantId, input: { id, name: 'Renamed', type: 'FILE_UPLOAD' } }));
    assert.equal(a.tenantMutations.dataSourceMutations.updateDataSource.type, 'FILE_UPLOAD');
    assert.equal(a.tenantMutations.dataSourceMutations.updateDataSource.name, 'Renamed');
    const b = ok(
      await t.gql(UPDATE_SOURCE, { tenantId, input: { id, dataSourceType: 'ADVERTISER_HOSTED_PIXEL', active: false } }),
    );
    assert.deepEqual(
      { ...b.tenantMutations.dataSourceMutations.updateDataSource, associatedPipelines: null },
      { id, name: 'Renamed', type: 'ADVERTISER_HOSTED_PIXEL', active: false, associatedPipelines: null },
    );
    const clash = failure(
      await t.gql(UPDATE_SOURCE, {
        tenantId,
        input: { id, type: 'FILE_UPLOAD', dataSourceType: 'ADVERTISER_HOSTED_PIXEL' },
      }),
    );
    assert.equal(clash.code, 400);
    assert.equal(failure(await t.gql(UPDATE_SOURCE, { tenantId, input: { id: '9999999999999999999' } })).code, 404);
  });

  test("a Meta pixel's source takes a new name only; deleteDataSource refuses it", async () => {
    const px = await t.connectPixel(await t.newAccount());
    const renamed = ok(
      await t.gql(UPDATE_SOURCE, { tenantId: px.tenantId, input: { id: px.pixelId, name: 'Pixel on shop' } }),
    );
    assert.equal(renamed.tenantMutations.dataSourceMutations.updateDataSource.name, 'Pixel on shop');
    const off = failure(
      await t.gql(UPDATE_SOURCE, { tenantId: px.tenantId, input: { id: px.pixelId, active: false } }),
    );
    assert.match(off.message, /updateSignalConfigEventsStatus/);
    const del = failure(await t.gql(DELETE_SOURCE, { tenantId: px.tenantId, id: px.pixelId }));
    assert.equal(del.code, 400);
    assert.match(del.message, /deletePipeline/);
  });

  test('deleteDataSource answers the id; the source takes no more events', async () => {
    const id = await newSource(t, tenantId, pipelineId, 'ADVERTISER_HOSTED_SDK');
    const key = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery.find(
      (s: { id: string }) => s.id === id,
    ).accessKey;
    assert.equal((await t.gw.postServer(id, { data: [serverEvent()] }, key)).status, 200);
    assert.equal(
      ok(await t.gql(DELETE_SOURCE, { tenantId, id })).tenantMutations.dataSourceMutations.deleteDataSource,
      id,
    );
    const list = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery;
    assert.ok(!list.some((s: { id: string }) => s.id === id));
    // Ingest forgot it at once (the pixel directory was told).
    await waitFor(
      async () => (await t.gw.postServer(id, { data: [serverEvent()] }, key)).status !== 200,
      'the deleted source is refused',
    );
    assert.equal(failure(await t.gql(DELETE_SOURCE, { tenantId, id })).code, 404);
  });

  test('createGatewayPixelHeaderCode answers the cbq snippet for the source', async () => {
    const id = await newSource(t, tenantId, pipelineId);
    const code = ok(await t.gql(HEADER_CODE, { tenantId, dataSourceId: id })).tenantMutations.dataSourceMutations
      .createGatewayPixelHeaderCode;
    assert.match(code, /<script>/);
    assert.ok(code.includes(`${t.gw.url}/sdk/${id}/events.js`), code);
    assert.ok(code.includes(`cbq('init', "${id}")`), code);
    const sdk = await newSource(t, tenantId, pipelineId, 'FILE_UPLOAD');
    assert.equal(failure(await t.gql(HEADER_CODE, { tenantId, dataSourceId: sdk })).code, 400);
  });

  test('updateGatewayPixelConfig stores the settings and answers plugins as Meta does', async () => {
    const id = await newSource(t, tenantId, pipelineId);
    const config = ok(
      await t.gql(PIXEL_CONFIG, {
        tenantId,
        pixelId: id,
        config: { enableFirstPartyCookie: true, enableAam: true, aamFields: ['em', 'ph', 'em'] },
      }),
    ).tenantMutations.dataSourceMutations.updateGatewayPixelConfig;
    assert.equal(config.id, id);
    assert.equal(config.enabledStatus, true);
    assert.deepEqual(config.plugins, ['FIRST_PARTY_COOKIE', 'AUTOMATIC_ADVANCED_MATCHING']);
    assert.deepEqual(config.aamFields, ['em', 'ph']);
    assert.deepEqual(config.estRuleGroups, []);
    // Fields left out keep their value.
    const next = ok(await t.gql(PIXEL_CONFIG, { tenantId, pixelId: id, config: { enableFirstPartyCookie: false } }))
      .tenantMutations.dataSourceMutations.updateGatewayPixelConfig;
    assert.deepEqual(next.plugins, ['AUTOMATIC_ADVANCED_MATCHING']);
    const stored = await t.gw.gateway.db.query<{ pixel_config: Record<string, unknown> }>(
      'SELECT pixel_config FROM data_sources WHERE id = $1',
      [id],
    );
    assert.deepEqual(stored[0]?.pixel_config, {
      enableFirstPartyCookie: false,
      enableAam: true,
      aamFields: ['em', 'ph'],
    });
    // Unset, the first-party cookie is on: what the served tag does (it writes them unless told not to).
    const fresh = ok(
      await t.gql(PIXEL_CONFIG, { tenantId, pixelId: await newSource(t, tenantId, pipelineId), config: {} }),
    ).tenantMutations.dataSourceMutations.updateGatewayPixelConfig;
    assert.deepEqual(fresh.plugins, ['FIRST_PARTY_COOKIE']);
    const bad = failure(await t.gql(PIXEL_CONFIG, { tenantId, pixelId: id, config: { aamFields: ['password'] } }));
    assert.equal(bad.code, 400);
    assert.match(bad.message, /password not known/);
  });
});
