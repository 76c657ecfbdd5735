import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serverEvent, waitFor } from '../harness.js';
import { type CapigTest, startCapigTest } from './capig-api.js';
import {
  DATA_SOURCES,
  failure,
  HTTP_CONFIG,
  newDestination,
  newPipeline,
  newSource,
  ok,
} from './capig-pipelines-api.js';

// Our extensions beside Meta's pipeline API: a custom destination's test event, counts and lane
// (with liveEvents and deadLetters), the payload template library, and privacy settings.

interface Hit {
  headers: IncomingHttpHeaders;
  url: string;
  body: string;
}

/** The advertiser's endpoint: records each request; a body naming "Refuse" is answered 400. */
async function startEndpoint() {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      hits.push({ headers: req.headers, url: req.url ?? '', body });
      const refuse = body.includes('Refuse');
      res.writeHead(refuse ? 400 : 200, { 'content-type': 'application/json', 'x-endpoint': 'crm' });
      res.end(refuse ? '{"error":"unknown event"}' : '{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/collect`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const TEMPLATE =
  '{"events":[{% for event in events %}{"name":{{ event_name | json }},"id":{{ event_id | json }}}{% unless forloop.last %},{% endunless %}{% endfor %}]}';

const SEND_TEST = `mutation SendTest($tenantId: ID!, $input: SendTestEventInput!) { tenantMutations(tenantId: $tenantId) {
  dataDestinationMutations { sendTestEvent(input: $input) { request { method url headers body }
    response { status headers body } error } } } }`;

const STATS = `query Stats($tenantId: ID!) { tenantQueries(tenantId: $tenantId) { dataDestinationsQuery {
  id lane stats(timeWindowMin: 60) { queued published deadLettered lastErrorCode lastErrorMessage lastErrorAt } } } }`;

describe('capig pipelines: custom destination test events, counts and lanes', () => {
  let t: CapigTest;
  let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
  let tenantId: string;
  let destinationId: string;
  let sourceId: string;
  let key: string;
  before(async () => {
    endpoint = await startEndpoint();
    t = await startCapigTest({ env: { CAPIG_DESTINATION_ALLOW: '127.0.0.1/32' } });
    tenantId = await t.newAccount();
    const pipelineId = await newPipeline(t, tenantId);
    sourceId = await newSource(t, tenantId, pipelineId, 'ADVERTISER_HOSTED_SDK');
    destinationId = (await newDestination(t, tenantId, pipelineId)).id;
    ok(
      await t.gql(HTTP_CONFIG, {
        tenantId,
        input: {
          id: destinationId,
          endpoint: endpoint.url,
          httpMethod: 'POST',
          authType: 'API_KEY',
          payloadSchema: TEMPLATE,
          apiKeyAuth: { name: 'X-Api-Key', value: 'k-123456', addTo: 'HEADER' },
        },
      }),
    );
    key = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery.find(
      (s: { id: string }) => s.id === sourceId,
    ).accessKey;
  });
  after(async () => {
    await t.stop();
    await endpoint.close();
  });

  test('sendTestEvent renders a sample Purchase, sends it, and shows the request and the answer', async () => {
    const before = endpoint.hits.length;
    const r = ok(await t.gql(SEND_TEST, { tenantId, input: { id: destinationId } })).tenantMutations
      .dataDestinationMutations.sendTestEvent;
    assert.equal(r.error, null);
    assert.equal(r.request.method, 'POST');
    assert.equal(r.request.url, endpoint.url);
    assert.match(r.request.body, /"name":"Purchase"/);
    assert.ok(!r.request.headers.includes('k-123456'), 'the key is masked in the shown request');
    assert.equal(r.response.status, 200);
    assert.equal(JSON.parse(r.response.headers)['x-endpoint'], 'crm');
    assert.equal(r.response.body, '{"received":true}');
    assert.equal(endpoint.hits.length, before + 1);
    assert.equal(endpoint.hits.at(-1)?.headers['x-api-key'], 'k-123456', 'the endpoint got the real key');

    const own = ok(
      await t.gql(SEND_TEST, {
        tenantId,
        input: { id: destinationId, event: JSON.stringify({ event_name: 'Refuse', event_id: 'e1' }) },
      }),
    ).tenantMutations.dataDestinationMutations.sendTestEvent;
    assert.equal(own.response.status, 400);
    assert.match(own.error, /unknown event/);
    const notJson = failure(await t.gql(SEND_TEST, { tenantId, input: { id: destinationId, event: '{nope' } }));
    assert.equal(notJson.code, 400);
  });

  test('events reach the destination in its lane: stats, liveEvents and deadLetters by the lane', async () => {
    const sent = await t.gw.postServer(
      sourceId,
      { data: [serverEvent({ event_name: 'Purchase' }), serverEvent({ event_name: 'Refuse' })] },
      key,
    );
    assert.equal(sent.status, 200, await sent.text());
    const stats = async () =>
      ok(await t.gql(STATS, { tenantId })).tenantQueries.dataDestinationsQuery.find(
        (d: { id: string }) => d.id === destinationId,
      );
    await waitFor(async () => {
      const s = (await stats()).stats;
      return s.published === 1 && s.deadLettered === 1 && s.queued === 0;
    }, 'one event published and one dead-lettered in the lane');
    const d = await stats();
    assert.equal(d.lane, destinationId);

    const live = ok(
      await t.gql(
        `query($tenantId: ID!, $lane: String!) { tenantQueries(tenantId: $tenantId) { liveEvents(pixelId: $lane) {
          pixelId eventName outcome } } }`,
        { tenantId, lane: d.lane },
      ),
    ).tenantQueries.liveEvents;
    assert.ok(live.some((e: { outcome: string }) => e.outcome === 'PUBLISHED'));
    assert.ok(live.every((e: { pixelId: string }) => e.pixelId === destinationId));

    const letters = ok(
      await t.gql(
        `query($tenantId: ID!, $lanes: [String!]) { tenantQueries(tenantId: $tenantId) { deadLetters(pixelIds: $lanes) {
          items { id pixelId eventName errorMessage } } } }`,
        { tenantId, lanes: [d.lane] },
      ),
    ).tenantQueries.deadLetters.items;
    assert.equal(letters.length, 1);
    assert.equal(letters[0].eventName, 'Refuse');
    assert.match(letters[0].errorMessage, /unknown event/);
    const replay = ok(
      await t.gql(
        `mutation($tenantId: ID!, $ids: [ID!]!) { tenantMutations(tenantId: $tenantId) { replayDeadLetters(ids: $ids) {
          replayed } } }`,
        { tenantId, ids: [letters[0].id] },
      ),
    );
    assert.equal(replay.tenantMutations.replayDeadLetters.replayed, 1);

    // A lane of another account is not found.
    const other = await t.newAccount();
    const foreign = await t.gql(
      `query($tenantId: ID!, $lane: String!) { tenantQueries(tenantId: $tenantId) { liveEvents(pixelId: $lane) { id } } }`,
      { tenantId: other, lane: destinationId },
    );
    assert.equal(failure(foreign).code, 404);
  });

  test('without CAPIG_DESTINATION_ALLOW a test event to a private address is refused, not sent', async () => {
    const strict = await startCapigTest();
    try {
      const account = await strict.newAccount();
      const pipelineId = await newPipeline(strict, account);
      const id = (await newDestination(strict, account, pipelineId)).id;
      ok(
        await strict.gql(HTTP_CONFIG, {
          tenantId: account,
          input: { id, endpoint: endpoint.url, httpMethod: 'POST', authType: 'NONE', payloadSchema: TEMPLATE },
        }),
      );
      const before = endpoint.hits.length;
      const r = ok(await strict.gql(SEND_TEST, { tenantId: account, input: { id } })).tenantMutations
        .dataDestinationMutations.sendTestEvent;
      assert.equal(r.response, null);
      assert.match(r.error, /not allowed|CAPIG_DESTINATION_ALLOW/i);
      assert.equal(endpoint.hits.length, before);
    } finally {
      await strict.stop();
    }
  });
});
