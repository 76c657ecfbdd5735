import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestDatabase } from '../../test/harness.js';
import type { Db } from '../database/db.js';
import { createEventQueue } from './event-queue.js';

// Leases live in the row (available_at moved forward): a leased event is handed to one claimer only
// until it is settled or its lease runs out.

describe('event queue leases', () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await openTestDatabase());
  });
  after(() => close());

  async function enqueue(pixelId: string, n: number, event: object = {}) {
    await db.query(
      `INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time)
       SELECT $1, 't1', $2::jsonb || jsonb_build_object('event_id', $1 || '-' || g), 'Lead', 1763870000
         FROM generate_series(1, $3::int) g`,
      [pixelId, JSON.stringify(event), n],
    );
  }

  test('concurrent claims of one pixel never share an event; another pixel is claimed apart', async () => {
    await enqueue('pa', 30, { action_source: 'physical_store', note: "it's" });
    await enqueue('pb', 5);
    const queue = createEventQueue(db);
    const [a, b, c, other] = await Promise.all([
      queue.claim('pa', 10, 60_000),
      queue.claim('pa', 10, 60_000),
      queue.claim('pa', 10, 60_000),
      queue.claim('pb', 10, 60_000),
    ]);
    const ids = [...(a ?? []), ...(b ?? []), ...(c ?? [])].map((e) => e.id);
    assert.equal(ids.length, 30);
    assert.equal(new Set(ids).size, 30, 'no event in two claims');
    assert.equal(other?.length, 5);
    assert.deepEqual(await queue.claim('pa', 10, 60_000), [], 'everything is leased');
    const first = a?.[0];
    assert.ok(first);
    assert.equal(first.physicalStore, true);
    assert.equal(JSON.parse(first.eventJson).note, "it's", 'the stored JSON, as text');
    // Settled: gone for good. Released: claimable again once its delay has passed.
    await queue.complete(a ?? []);
    await queue.release(b ?? [], 0, 'HTTP 500');
    const again = await queue.claim('pa', 30, 60_000);
    assert.deepEqual(
      again.map((e) => e.id),
      (b ?? []).map((e) => e.id),
    );
    assert.ok(
      again.every((e) => e.attempts === 1),
      'a release counts the attempt',
    );
  });

  test('events that arrived during a retry delay go out before the retried batch', async () => {
    await enqueue('pd', 20);
    const queue = createEventQueue(db);
    const tried = await queue.claim('pd', 4, 60_000);
    // Released with a short delay: its available_at is now later than the events that arrive next.
    await queue.release(tried, 30, 'HTTP 503');
    await enqueue('pd', 2, { fresh: true });
    await new Promise((r) => setTimeout(r, 60));
    // Two picks of two: the newest half takes the fresh events, not the retried batch.
    const next = await queue.claim('pd', 4, 60_000);
    const fresh = next.filter((e) => JSON.parse(e.eventJson).fresh === true);
    assert.equal(fresh.length, 2, 'both fresh events are in the next claim');
    assert.equal(
      next.filter((e) => e.attempts > 0).length,
      0,
      'the retried batch waits for the oldest pick, behind the older events',
    );
  });

  test('a lease that runs out makes its events claimable again', async () => {
    await enqueue('pc', 4);
    const queue = createEventQueue(db);
    const first = await queue.claim('pc', 10, 50);
    assert.equal(first.length, 4);
    assert.deepEqual(await queue.claim('pc', 10, 50), []);
    await new Promise((r) => setTimeout(r, 120));
    const again = await queue.claim('pc', 10, 60_000);
    assert.deepEqual(
      again.map((e) => e.id),
      first.map((e) => e.id),
    );
  });
});
