import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type CapigTest, startCapigTest } from '../control-plane/capig-api.js';
import { newGatewayPipeline, newHttpDestination, newMetaDestination } from '../control-plane/capig-pipelines-api.js';
import { serverEvent, waitFor } from '../harness.js';

// A Signals Gateway pipeline delivering the same events to Meta and to a custom HTTP endpoint (a
// real local server), each destination in its own lane: one that is down or refuses an event never
// holds the other back, and its dead letters are its own.

interface Received {
  headers: IncomingMessage['headers'];
  body: { events: Array<{ name: string; id: string; value: number }> };
}

/** The advertiser's endpoint: answers what `answer` says, records what it accepted. */
async function startEndpoint() {
  const accepted: Received[] = [];
  let attempts = 0;
  let answer: (body: Received['body']) => number = () => 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      attempts++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'];
      const status = answer(body);
      if (status === 200) accepted.push({ headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"ok":true}' : `{"error":"refused with ${status}"}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`,
    accepted,
    attempts: () => attempts,
    answer(fn: (body: Received['body']) => number) {
      answer = fn;
    },
    events: () => accepted.flatMap((r) => r.body.events),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const TEMPLATE =
  '{"events":[{% for event in events %}{"name":{{ event.event_name | json }},"id":{{ event.event_id | json }},' +
  '"value":{{ event.value | default: 0 }}}{% unless forloop.last %},{% endunless %}{% endfor %}]}';

describe('pipelines: one source, a Meta destination and a custom HTTP destination', () => {
  let t: CapigTest;
  let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
  let tenantId: string;
  let sourceId: string;
  let accessKey: string;
  let pipelineId: string;
  let httpLane: string;
  const datasetId = '555000111222333';

  const mutate = async (field: string, query: string, variables: Record<string, unknown> = {}) => {
    const answer = await t.gql(
      `mutation($t: ID!${Object.keys(variables)
        .map((k) => `, $${k}: ${VARIABLE_TYPES[k]}`)
        .join('')}) { tenantMutations(tenantId: $t) { ${field} { ${query} } } }`,
      { t: tenantId, ...variables },
    );
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    return answer.body.data.tenantMutations[field];
  };

  before(async () => {
    endpoint = await startEndpoint();
    t = await startCapigTest({ env: { CAPIG_DESTINATION_ALLOW: 'public,127.0.0.1/32' } });
    tenantId = await t.newAccount();
    ({ pipelineId, sourceId, accessKey } = await newGatewayPipeline(t, tenantId, 'Web and warehouse'));
    await newMetaDestination(t, tenantId, pipelineId, datasetId);
    const http = await newHttpDestination(t, tenantId, pipelineId, 'Warehouse', {
      endpoint: endpoint.url,
      authType: 'API_KEY',
      apiKeyAuth: { name: 'x-api-key', value: 'k-123', addTo: 'HEADER' },
      payloadSchema: TEMPLATE,
    });
    httpLane = http.lane;
    assert.equal(httpLane, http.id);
  });

  after(async () => {
    await t?.stop();
    await endpoint?.close();
  });

  const send = async (events: Array<Record<string, unknown>>) => {
    const res = await t.gw.postServer(sourceId, { data: events }, accessKey);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { events_received: number; messages: string[] };
  };

  test('server events reach Meta (the destination dataset) and the endpoint, with its API key', async () => {
    const events = [1, 2, 3].map((i) => serverEvent({ custom_data: { value: i, currency: 'EUR' } }));
    const answer = await send(events);
    assert.deepEqual([answer.events_received, answer.messages], [3, []]);
    await t.gw.fake.waitForEvents(3, { pixelId: datasetId });
    await waitFor(() => endpoint.events().length === 3, 'the endpoint has the 3 events');
    assert.deepEqual(
      endpoint.events().map((e) => [e.id, e.value]),
      events.map((e) => [e.event_id, (e.custom_data as { value: number }).value]),
    );
    assert.equal(endpoint.accepted[0]?.headers['x-api-key'], 'k-123');
    assert.equal(endpoint.accepted[0]?.headers['content-type'], 'application/json');
    // The destination's live events show what it answered, as Meta's show Meta's.
    let live: Array<{ outcome: string; response: string }> = [];
    await waitFor(async () => {
      const answer = await t.gql(
        'query($t: ID!, $l: String!) { tenantQueries(tenantId: $t) { liveEvents(pixelId: $l) { outcome response } } }',
        { t: tenantId, l: httpLane },
      );
      live = answer.body.data?.tenantQueries?.liveEvents ?? [];
      return live.some((e) => e.outcome === 'PUBLISHED');
    }, 'a published sample in the lane');
    const published = live.find((e) => e.outcome === 'PUBLISHED');
    assert.deepEqual(JSON.parse(published?.response ?? 'null'), { status: 200, body: '{"ok":true}' });
  });

  test('an endpoint that is down holds only its own lane; Meta keeps receiving; it catches up later', async () => {
    endpoint.answer(() => 503);
    const before = endpoint.events().length;
    const metaBefore = t.gw.fake.events(datasetId).length;
    const events = [1, 2, 3, 4].map(() => serverEvent());
    await send(events);
    await t.gw.fake.waitForEvents(metaBefore + 4, { pixelId: datasetId });
    await waitFor(() => endpoint.attempts() > 0 && endpoint.events().length === before, 'the endpoint refused');
    endpoint.answer(() => 200);
    await waitFor(() => endpoint.events().length === before + 4, 'the endpoint caught up', 20_000);
    const ids = new Set(endpoint.events().map((e) => e.id));
    for (const e of events) assert.ok(ids.has(e.event_id as string));
  });

  test('an event the endpoint refuses (400) is dead-lettered in its lane with the answer, and replays', async () => {
    endpoint.answer((body) => (body.events.some((e) => e.name === 'Refused') ? 400 : 200));
    const bad = serverEvent({ event_name: 'Refused' });
    const good = serverEvent({ event_name: 'Fine' });
    await send([bad, good]);
    await waitFor(() => endpoint.events().some((e) => e.id === good.event_id), 'the good one arrived');
    let letters: Array<{ id: string; eventName: string; errorMessage: string }> = [];
    await waitFor(async () => {
      const page = await t.gql(
        'query($t: ID!, $l: [String!]) { tenantQueries(tenantId: $t) { deadLetters(pixelIds: $l) { items { id eventName errorMessage } } } }',
        { t: tenantId, l: [httpLane] },
      );
      letters = page.body.data?.tenantQueries?.deadLetters?.items ?? [];
      return letters.length === 1;
    }, 'one dead letter in the lane');
    assert.equal(letters[0]?.eventName, 'Refused');
    assert.match(letters[0]?.errorMessage ?? '', /refused with 400/);
    // Meta took both: the refusal was the endpoint's alone.
    await waitFor(
      () => t.gw.fake.events(datasetId).some((e) => (e.event as { event_id: string }).event_id === bad.event_id),
      'Meta has it',
    );
    endpoint.answer(() => 200);
    const replay = await t.gql(
      'mutation($t: ID!, $ids: [ID!]!) { tenantMutations(tenantId: $t) { replayDeadLetters(ids: $ids) { replayed } } }',
      { t: tenantId, ids: [letters[0]?.id] },
    );
    assert.equal(replay.body.errors, undefined, JSON.stringify(replay.body.errors));
    await waitFor(() => endpoint.events().some((e) => e.id === bad.event_id), 'the replayed event arrived');
  });

  test("a destination's filter keeps an event from it alone; the stats count per destination", async () => {
    const destinations = await t.gql(
      'query($t: ID!) { tenantQueries(tenantId: $t) { dataDestinationsQuery { id type lane stats { published deadLettered queued } } } }',
      { t: tenantId },
    );
    const http = destinations.body.data.tenantQueries.dataDestinationsQuery.find(
      (d: { type: string }) => d.type === 'CUSTOM_HTTP_API',
    );
    assert.ok(http.stats.published >= 9, JSON.stringify(http.stats));
    assert.equal(http.stats.deadLettered, 1);
    await mutate(
      'dataPipelineMutations',
      'updatePipelineDestinationFilter(input: {pipelineId: $pl, destinationId: $id, destinationFilterBlockedEventTypes: ["Lead"]}) { id }',
      { pl: pipelineId, id: http.id },
    );
    const lead = serverEvent({ event_name: 'Lead' });
    await send([lead]);
    await waitFor(
      () => t.gw.fake.events(datasetId).some((e) => (e.event as { event_id: string }).event_id === lead.event_id),
      'Meta has the Lead',
    );
    const marker = serverEvent({ event_name: 'After' });
    await send([marker]);
    await waitFor(() => endpoint.events().some((e) => e.id === marker.event_id), 'a later event reached the endpoint');
    assert.equal(
      endpoint.events().some((e) => e.id === lead.event_id),
      false,
      'the endpoint never got the Lead',
    );
  });
});

const VARIABLE_TYPES: Record<string, string> = { pl: 'ID!', id: 'ID!' };
