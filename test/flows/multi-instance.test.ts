import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type FakeGraph, startFakeGraph } from '../../src/fake-graph/fake-graph-server.js';
import {
  createTestDatabase,
  serverEvent,
  startTestGateway,
  TEST_DATABASE_URL,
  type TestGateway,
  waitFor,
} from '../harness.js';

// Two stateless gateway instances on one PostgreSQL: both take events and both publish, and
// together they deliver every event exactly once in steady state (claims skip locked rows).
describe('two instances on one PostgreSQL', {}, () => {
  let fake: FakeGraph;
  let a: TestGateway;
  let b: TestGateway;
  let drop: () => Promise<void>;
  before(async () => {
    fake = await startFakeGraph();
    const db = await createTestDatabase(TEST_DATABASE_URL);
    drop = db.drop;
    // Small batches and no waiting, so both instances' publishers are busy at the same time.
    const env = { CAPIG_PUBLISH_MAX_BATCH: '50', CAPIG_PUBLISH_MAX_WAIT_MS: '10' };
    a = await startTestGateway({ fake, databaseUrl: db.url, env });
    b = await startTestGateway({ fake, databaseUrl: db.url, env });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await fake.close();
    await drop?.();
  });

  test('events sent to either instance are delivered once each', { timeout: 60_000 }, async () => {
    const px = await a.addPixel();
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const data = Array.from({ length: 25 }, () => serverEvent());
        for (const e of data) ids.push(e.event_id as string);
        const res = await (i % 2 === 0 ? a : b).postServer(px.pixelId, { data }, px.accessKey);
        assert.equal(res.status, 200);
      }),
    );
    await waitFor(() => fake.events(px.pixelId).length >= ids.length, 'all events delivered', 30_000);
    await waitFor(async () => (await a.gateway.queue.depth(px.pixelId)) === 0, 'queue drained', 10_000);
    const sent = fake.events(px.pixelId).map((e) => (e.event as any).event_id as string);
    assert.equal(new Set(sent).size, ids.length, 'every event arrived');
    assert.equal(sent.length, ids.length, 'none arrived twice');
  });
});
