import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { serverEvent, startTestGateway, type TestGateway, type TestPixel, waitFor } from '../harness.js';

// Meta fails for a while (5xx, throttling, timeouts) while events keep arriving for two pixels, and
// a third pixel stays healthy. Afterwards everything is delivered and the backlog drains; while it
// drains, fresh events are not starved behind old ones, and no pixel waits on another's backlog.

/** Events that pile up for the backlog pixel while Meta is failing. */
const BACKLOG = 10_000;
/** Meta's answer time for one batch to the backlog pixel: draining takes many seconds. */
const META_LATENCY_MS = 800;
/** How long Meta fails. */
const OUTAGE_MS = 4_000;
/**
 * The bound a user needs: an event sent now reaches Meta within this, backlog or not. An event that
 * arrives while both of the lane's requests are in flight waits for one of them (Meta's 800 ms, plus
 * the claim and the bookkeeping of 500 events) and then goes in the next: at most about two rounds,
 * far less than the ~11 s the backlog takes.
 */
const FRESH_BOUND_MS = 3_500;
/** A healthy pixel's events reach Meta within this, whatever another pixel's state. */
const HEALTHY_BOUND_MS = 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sent {
  id: string;
  /** When the gateway acknowledged it (2xx). */
  ackedAt: number;
}

describe('backlog fairness after a Meta outage', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  const eventId = (tag: string) => `${tag}-${randomBytes(8).toString('hex')}`;

  /** Posts events and returns their ids once acknowledged (every post must succeed here). */
  async function send(px: TestPixel, count: number, tag: string): Promise<Sent[]> {
    const data = Array.from({ length: count }, () => serverEvent({ event_id: eventId(tag) }));
    const res = await gw.postServer(px.pixelId, { data }, px.accessKey);
    assert.equal(res.status, 200, await res.text());
    const ackedAt = Date.now();
    return data.map((e) => ({ id: e.event_id as string, ackedAt }));
  }

  /** When the fake first received each event of the pixel. */
  function receivedAt(px: TestPixel): Map<string, number> {
    const at = new Map<string, number>();
    for (const e of gw.fake.events(px.pixelId)) {
      const id = (e.event as any).event_id as string;
      if (!at.has(id)) at.set(id, e.received_at);
    }
    return at;
  }

  /** A steady trickle to a pixel until stopped. */
  function trickle(px: TestPixel, everyMs: number, tag: string) {
    const sent: Sent[] = [];
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        sent.push(...(await send(px, 1, tag)));
        await sleep(everyMs);
      }
    })();
    return {
      sent,
      async stop() {
        stopped = true;
        await loop;
      },
    };
  }

  test('fresh events are delivered promptly while a backlog of thousands drains', { timeout: 90_000 }, async () => {
    const big = await gw.addPixel(); // piles up a backlog during the outage
    const small = await gw.addPixel(); // fails too, but only receives a trickle
    const healthy = await gw.addPixel(); // Meta never fails for it
    gw.fake.addFault({ pixel_id: big.pixelId, kind: 'latency', latency_ms: META_LATENCY_MS });

    // Meta's outage for both failing pixels: server errors, throttling, a timeout, a dropped
    // connection, then 503s until it recovers.
    const outage: string[] = [];
    for (const px of [big, small]) {
      const rules = [
        { kind: 'graph_error', code: 2, times: 2 },
        { kind: 'graph_error', code: 613, times: 2 },
        { kind: 'graph_error', code: 80004, times: 1 },
        { kind: 'hang', times: 1 },
        { kind: 'drop_connection', times: 1 },
        { kind: 'http_status', status: 503 },
      ] as const;
      for (const r of rules) outage.push(gw.fake.addFault({ pixel_id: px.pixelId, ...r }).id);
    }
    const healthyLoad = trickle(healthy, 100, 'healthy');
    const smallLoad = trickle(small, 200, 'small');
    const outageStarted = Date.now();
    const backlog: Sent[] = [];
    for (let i = 0; i < BACKLOG / 1000; i++) {
      backlog.push(...(await send(big, 1000, 'backlog')));
      await sleep(OUTAGE_MS / (BACKLOG / 1000) / 2);
    }
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
    assert.ok(
      (await gw.gateway.queue.depth(big.pixelId)) >= BACKLOG,
      'the backlog is queued: Meta took none of it during the outage',
    );

    // Meta recovers.
    for (const id of outage) gw.fake.removeFault(id);
    const recoveredAt = Date.now();
    // Once the backlog pixel's retry starts draining, fresh events go to it every half second.
    await waitFor(() => receivedAt(big).size > 0, 'the backlog starts draining', 10_000);
    const fresh: Array<Sent & { depth: number }> = [];
    for (let i = 0; i < 4; i++) {
      const depth = await gw.gateway.queue.depth(big.pixelId);
      const [sent] = await send(big, 1, 'fresh');
      fresh.push({ ...(sent as Sent), depth });
      await sleep(500);
    }
    assert.ok(
      (fresh[0] as { depth: number }).depth >= BACKLOG / 2,
      `the first fresh event was sent while the backlog was still large (${fresh[0]?.depth} queued)`,
    );

    // Everything is delivered and every queue drains.
    const allBig = [...backlog, ...fresh];
    await waitFor(
      () => {
        const got = receivedAt(big);
        return allBig.every((e) => got.has(e.id));
      },
      'the backlog and the fresh events delivered',
      60_000,
    );
    const bigAt = receivedAt(big);
    const backlogDrainedAt = Math.max(...backlog.map((e) => bigAt.get(e.id) as number));
    await smallLoad.stop();
    await healthyLoad.stop();
    for (const [px, sent] of [
      [small, smallLoad.sent],
      [healthy, healthyLoad.sent],
    ] as const) {
      await waitFor(
        () => {
          const got = receivedAt(px);
          return sent.every((e) => got.has(e.id));
        },
        `every event of pixel ${px.pixelId} delivered`,
        20_000,
      );
    }
    for (const px of [big, small, healthy]) {
      await waitFor(async () => (await gw.gateway.queue.depth(px.pixelId)) === 0, 'queue drained', 10_000);
    }

    const delays = (px: TestPixel, sent: readonly Sent[]) => {
      const got = receivedAt(px);
      return sent.map((e) => (got.get(e.id) as number) - e.ackedAt);
    };
    const freshDelays = delays(big, fresh);
    const healthyDelays = delays(healthy, healthyLoad.sent);
    // The small pixel's events after its own short backlog was delivered (its retry backoff
    // legitimately holds events that arrive during the outage).
    const smallAt = receivedAt(small);
    const smallBacklogDone = Math.max(
      ...smallLoad.sent.filter((e) => e.ackedAt < recoveredAt).map((e) => smallAt.get(e.id) as number),
    );
    const smallAfter = smallLoad.sent.filter((e) => e.ackedAt > smallBacklogDone);
    const smallDelays = delays(small, smallAfter);
    const sentIds = gw.fake.events().map((e) => (e.event as any).event_id as string);
    const twice = sentIds.length - new Set(sentIds).size;
    console.log(
      `backlog of ${BACKLOG} drained ${backlogDrainedAt - recoveredAt} ms after Meta recovered; ` +
        `fresh events to the same pixel (queued behind ${fresh.map((f) => f.depth).join(', ')}) took ` +
        `${freshDelays.join(', ')} ms; healthy pixel max ${Math.max(...healthyDelays)} ms over ` +
        `${healthyDelays.length} events; small pixel after its backlog max ${Math.max(...smallDelays)} ms over ` +
        `${smallDelays.length} events; ${twice} sent twice`,
    );

    assert.equal(twice, 0, 'nothing was sent twice');
    // A pixel whose Meta never failed was never held up: not by the outage, not by the drain.
    assert.ok(
      Math.max(...healthyDelays) < HEALTHY_BOUND_MS,
      `the healthy pixel's events waited at most ${Math.max(...healthyDelays)} ms`,
    );
    // The small pixel, once its own few retried events are out, is not behind the big one.
    assert.ok(smallDelays.length >= 5, `the small pixel kept receiving during the drain (${smallDelays.length})`);
    assert.ok(
      Math.max(...smallDelays) < HEALTHY_BOUND_MS,
      `the small pixel's fresh events waited at most ${Math.max(...smallDelays)} ms during the other's drain`,
    );
    // The user-facing bound: an event sent now is not queued behind thousands of old ones.
    assert.ok(
      freshDelays.every((d) => d < FRESH_BOUND_MS),
      `fresh events to a pixel with a backlog reached Meta after ${freshDelays.join(', ')} ms ` +
        `(bound ${FRESH_BOUND_MS} ms; the backlog took ${backlogDrainedAt - recoveredAt} ms to drain)`,
    );
  });
});
