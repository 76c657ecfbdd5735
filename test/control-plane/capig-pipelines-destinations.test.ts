import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CapigTest, startCapigTest } from './capig-api.js';
import {
  CAPI_CONFIG,
  CREATE_DESTINATION,
  DATA_DESTINATIONS,
  DELETE_DESTINATION,
  DESTINATION_ID,
  failure,
  GET_PIPELINE,
  HTTP_CONFIG,
  newDestination,
  newPipeline,
  ok,
  UPDATE_DESTINATION,
} from './capig-pipelines-api.js';

// Meta's data destination operations (capig-control-plane.md B.6): createDataDestination,
// dataDestinationsQuery, updateDataDestination, deleteDataDestination,
// updateDataDestinationCapiConfig and updateDataDestinationHttpConfig (secrets never returned).
describe('capig pipelines: data destinations', () => {
  let t: CapigTest;
  let tenantId: string;
  let pipelineId: string;
  before(async () => {
    t = await startCapigTest();
    tenantId = await t.newAccount();
    pipelineId = await newPipeline(t, tenantId);
  });
  after(() => t.stop());

  const destination = async (id: string) =>
    ok(await t.gql(DATA_DESTINATIONS, { tenantId })).tenantQueries.dataDestinationsQuery.find(
      (d: { id: string }) => d.id === id,
    );

  test('createDataDestination: sg_v1_dd_ ids, default names, its own lane; only Meta and custom HTTP', async () => {
    const meta = await newDestination(t, tenantId, pipelineId, 'META_CONVERSIONS_API');
    assert.match(meta.id, DESTINATION_ID);
    assert.match(meta.name, /^Meta Dataset [A-Za-z0-9]{6}$/);
    assert.equal(meta.lane, meta.id);
    assert.deepEqual(meta.metaCAPIConfig, { dataSetId: null });
    assert.equal(meta.httpConfig, null);
    const http = await newDestination(t, tenantId, pipelineId, 'CUSTOM_HTTP_API');
    assert.match(http.name, /^Customized destination [A-Za-z0-9]{6}$/);
    assert.equal(http.metaCAPIConfig, null);
    assert.equal(http.httpConfig.hasSecrets, false);
    assert.deepEqual(
      http.associatedPipelines.map((p: { id: string }) => p.id),
      [pipelineId],
    );

    const p = ok(await t.gql(GET_PIPELINE, { tenantId, id: pipelineId })).tenantQueries.pipeline;
    for (const id of [meta.id, http.id]) {
      assert.ok(p.dataDestinations.some((d: { id: string }) => d.id === id));
    }
    const bigQuery = failure(
      await t.gql(CREATE_DESTINATION, { tenantId, input: { name: 'x', type: 'GOOGLE_BIGQUERY_API', pipelineId } }),
    );
    assert.equal(bigQuery.code, 400);
    assert.match(bigQuery.message, /META_CONVERSIONS_API or CUSTOM_HTTP_API/);
  });

  test('updateDataDestination: name, active and type as sent; the rest kept', async () => {
    const d = await newDestination(t, tenantId, pipelineId, 'CUSTOM_HTTP_API', 'CRM');
    const data = ok(await t.gql(UPDATE_DESTINATION, { tenantId, input: { id: d.id, name: 'CRM v2', active: false } }));
    const u = data.tenantMutations.dataDestinationMutations.updateDataDestination;
    assert.equal(u.name, 'CRM v2');
    assert.equal(u.active, false);
    assert.equal(u.type, 'CUSTOM_HTTP_API');
    const missing = failure(await t.gql(UPDATE_DESTINATION, { tenantId, input: { id: 'sg_v1_dd_x', name: 'y' } }));
    assert.equal(missing.code, 404);
  });

  test('updateDataDestinationCapiConfig checks the token with Meta, seals it, names the destination by dataset', async () => {
    const d = await newDestination(t, tenantId, pipelineId, 'META_CONVERSIONS_API');
    const input = {
      id: d.id,
      metaDatasetId: '987654321098765',
      accessToken: 'EAAdatasettoken1',
      apiVersion: 'v24.0',
      businessId: '2840127409433732',
      updateOB: true,
    };
    assert.equal(
      ok(await t.gql(CAPI_CONFIG, { tenantId, input })).tenantMutations.dataDestinationMutations
        .updateDataDestinationCapiConfig,
      true,
    );
    assert.ok(
      t.gw.fake.requests().some((r) => r.path === '/v24.0/987654321098765'),
      'the token was checked',
    );
    const after = await destination(d.id);
    assert.deepEqual(after.metaCAPIConfig, { dataSetId: '987654321098765' });
    assert.equal(after.name, 'Meta Dataset (987654321098765)');
    const [row] = await t.gw.gateway.db.query<{ access_token_enc: string }>(
      'SELECT access_token_enc FROM data_destinations WHERE id = $1',
      [d.id],
    );
    assert.ok(row && !row.access_token_enc.includes('EAAdatasettoken1'), 'the token is stored sealed');

    t.gw.fake.revokeToken('EAArevoked');
    const rejected = failure(await t.gql(CAPI_CONFIG, { tenantId, input: { ...input, accessToken: 'EAArevoked' } }));
    assert.equal(rejected.code, 400);
    assert.ok(!rejected.message.includes('EAArevoked'));
    const http = await newDestination(t, tenantId, pipelineId, 'CUSTOM_HTTP_API');
    assert.equal(failure(await t.gql(CAPI_CONFIG, { tenantId, input: { ...input, id: http.id } })).code, 400);
  });

  test("a pixel connection's destination is fixed: no type, switch, token or deletion here", async () => {
    const px = await t.connectPixel(tenantId);
    const d = ok(await t.gql(DATA_DESTINATIONS, { tenantId })).tenantQueries.dataDestinationsQuery.find(
      (x: { lane: string }) => x.lane === px.pixelId,
    );
    const capi = failure(
      await t.gql(CAPI_CONFIG, {
        tenantId,
        input: { id: d.id, metaDatasetId: '1', accessToken: 'EAAx', apiVersion: 'v24.0', businessId: '1' },
      }),
    );
    assert.match(capi.message, /updateSignalConfigAccessToken/);
    const off = failure(await t.gql(UPDATE_DESTINATION, { tenantId, input: { id: d.id, active: false } }));
    assert.match(off.message, /updateSignalConfigCapiPublish/);
    assert.match(failure(await t.gql(DELETE_DESTINATION, { tenantId, id: d.id })).message, /deletePipeline/);
  });

  const httpInput = (id: string, over: Record<string, unknown> = {}) => ({
    id,
    endpoint: 'https://crm.example/events',
    httpMethod: 'POST',
    authType: 'API_KEY',
    payloadSchema: '{"n": {{ events | size }}}',
    apiKeyAuth: { name: 'X-Api-Key', value: 'secret-key-123', addTo: 'HEADER' },
    ...over,
  });

  test('updateDataDestinationHttpConfig stores the settings; secrets are sealed and never returned', async () => {
    const d = await newDestination(t, tenantId, pipelineId);
    const res = ok(await t.gql(HTTP_CONFIG, { tenantId, input: httpInput(d.id) }));
    assert.equal(res.tenantMutations.dataDestinationMutations.updateDataDestinationHttpConfig, true);
    const view = (await destination(d.id)).httpConfig;
    assert.deepEqual(view, {
      endpoint: 'https://crm.example/events',
      httpMethod: 'POST',
      authType: 'API_KEY',
      payloadSchema: '{"n": {{ events | size }}}',
      apiKeyName: 'X-Api-Key',
      apiKeyAddTo: 'HEADER',
      clientId: null,
      authEndpoint: null,
      authHttpMethod: null,
      serviceUserAccount: null,
      timeoutMs: null,
      hasSecrets: true,
    });
    const everything = JSON.stringify(ok(await t.gql(DATA_DESTINATIONS, { tenantId })));
    assert.ok(!everything.includes('secret-key-123'), 'the key value is never returned');
    const [row] = await t.gw.gateway.db.query<{ http_secrets_enc: string; http_config: unknown }>(
      'SELECT http_secrets_enc, http_config FROM data_destinations WHERE id = $1',
      [d.id],
    );
    assert.ok(
      row && !row.http_secrets_enc.includes('secret-key-123') && !JSON.stringify(row.http_config).includes('secret'),
    );

    // Secrets left out keep the stored ones (an editor does not send them back).
    const again = httpInput(d.id, { apiKeyAuth: { name: 'X-Key', addTo: 'QUERY_PARAM' }, timeoutMs: 2000 });
    ok(await t.gql(HTTP_CONFIG, { tenantId, input: again }));
    const kept = (await destination(d.id)).httpConfig;
    assert.equal(kept.apiKeyName, 'X-Key');
    assert.equal(kept.timeoutMs, 2000);
    assert.equal(kept.hasSecrets, true);
    // Another auth type forgets the key.
    ok(await t.gql(HTTP_CONFIG, { tenantId, input: httpInput(d.id, { authType: 'NONE', apiKeyAuth: null }) }));
    const none = (await destination(d.id)).httpConfig;
    assert.equal(none.hasSecrets, false);
    assert.equal(none.apiKeyName, null);
  });

  test('updateDataDestinationHttpConfig lists every problem in one 400 and stores nothing', async () => {
    const d = await newDestination(t, tenantId, pipelineId);
    const bad = failure(
      await t.gql(HTTP_CONFIG, {
        tenantId,
        input: httpInput(d.id, {
          endpoint: 'ftp://x',
          authType: 'BASIC',
          apiKeyAuth: null,
          basicAuth: { credentials: 'no-colon' },
          payloadSchema: '{% for x in %}',
        }),
      }),
    );
    assert.equal(bad.code, 400);
    assert.match(bad.message, /endpoint must be an http\(s\) URL/);
    assert.match(bad.message, /user:password/);
    assert.match(bad.message, /payloadSchema/);
    assert.equal((await destination(d.id)).httpConfig.endpoint, null);
    const meta = await newDestination(t, tenantId, pipelineId, 'META_CONVERSIONS_API');
    assert.equal(failure(await t.gql(HTTP_CONFIG, { tenantId, input: httpInput(meta.id) })).code, 400);
  });

  test('deleteDataDestination answers the id and drops the events queued in its lane', async () => {
    const d = await newDestination(t, tenantId, pipelineId);
    await t.gw.gateway.db.query(
      `INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, domain)
       VALUES ($1, $2, '{"event_name":"Lead"}', 'Lead', extract(epoch FROM now())::int8, '')`,
      [d.id, tenantId],
    );
    assert.equal(
      ok(await t.gql(DELETE_DESTINATION, { tenantId, id: d.id })).tenantMutations.dataDestinationMutations
        .deleteDataDestination,
      d.id,
    );
    assert.equal(await destination(d.id), undefined);
    const queued = await t.gw.gateway.db.query('SELECT 1 FROM event_queue WHERE pixel_id = $1', [d.id]);
    assert.equal(queued.length, 0);
    assert.equal(failure(await t.gql(DELETE_DESTINATION, { tenantId, id: d.id })).code, 404);
  });
});
