import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { browserEvent, serverEvent, waitFor } from '../harness.js';
import { type CapigTest, type ConnectedPixel, startCapigTest } from './capig-api.js';
import { signInAs } from './people.js';

// The capig extensions behind the dashboard: the Overview chart (eventTimeline), Live events (the
// payload sent to Meta next to Meta's answer, or the drop reason) and dead letters with replay.
describe('capig: eventTimeline, liveEvents, deadLetters and replayDeadLetters', () => {
  let t: CapigTest;
  before(async () => {
    t = await startCapigTest();
  });
  after(() => t.stop());

  const TIMELINE = `query T($tenantId: ID!, $w: Int!, $pixelIds: [String!]) { tenantQueries(tenantId: $tenantId) {
    eventTimeline(pixelIds: $pixelIds, timeWindowMin: $w) { at received published dropped } } }`;
  const LIVE = `query L($tenantId: ID!, $pixelId: String!, $afterId: ID) { tenantQueries(tenantId: $tenantId) {
    liveEvents(pixelId: $pixelId, afterId: $afterId) { id at pixelId eventName eventId outcome reason payload response } } }`;
  const LETTERS = `query D($tenantId: ID!, $limit: Int, $before: ID) { tenantQueries(tenantId: $tenantId) {
    deadLetters(limit: $limit, before: $before) { nextBefore items { id pixelId eventName eventId reason errorCode
      errorSubcode errorMessage fbtraceId attempts createdAt replayedAt payload } } } }`;
  const REPLAY = `mutation R($tenantId: ID!, $ids: [ID!]!) { tenantMutations(tenantId: $tenantId) {
    replayDeadLetters(ids: $ids) { replayed } } }`;
  const FILTER = `mutation F($tenantId: ID!, $input: UpdateEventFilterInput!) { tenantMutations(tenantId: $tenantId) {
    updateEventFilter(input: $input) { updatedFilter { eventName filterState } } } }`;

  const send = async (px: ConnectedPixel, data: Record<string, unknown>[]) => {
    const res = await t.gw.postServer(px.pixelId, { data }, px.accessKey);
    assert.equal(res.status, 200, await res.text());
  };
  const drained = (px: ConnectedPixel) =>
    waitFor(async () => (await t.gw.gateway.queue.depth(px.pixelId)) === 0, 'queue drained', 20_000);
  const ok = (res: { body: { errors?: unknown; data?: any } }) => {
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    return res.body.data;
  };

  test('eventTimeline: one point per bucket over the window, with the traffic in the current one', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    await send(px, [serverEvent(), serverEvent(), serverEvent()]);
    await drained(px);

    const hour = ok(await t.gql(TIMELINE, { tenantId, w: 60 })).tenantQueries.eventTimeline;
    assert.equal(hour.length, 60, 'an hour is 60 one-minute points');
    for (let i = 1; i < hour.length; i++) assert.equal(hour[i].at - hour[i - 1].at, 60_000);
    assert.ok(hour.at(-1).at <= Date.now() && hour.at(-1).at > Date.now() - 120_000, 'the last point is now');
    const sum = (points: any[], k: string) => points.reduce((n, p) => n + p[k], 0);
    assert.equal(sum(hour, 'received'), 3);
    assert.equal(sum(hour, 'published'), 3);

    const day = ok(await t.gql(TIMELINE, { tenantId, w: 1440 })).tenantQueries.eventTimeline;
    assert.ok(day.length >= 48 && day.length <= 49, `a day in 30-minute points (got ${day.length})`);
    assert.equal(day[1].at - day[0].at, 30 * 60_000);
    assert.equal(sum(day, 'received'), 3);

    const other = await t.connectPixel(tenantId);
    const none = ok(await t.gql(TIMELINE, { tenantId, w: 60, pixelIds: [other.pixelId] })).tenantQueries.eventTimeline;
    assert.equal(sum(none, 'received'), 0, 'filtered to a pixel without traffic');

    const bad = await t.gql(TIMELINE, { tenantId, w: 0 });
    assert.match(bad.body.errors?.[0]?.message ?? '', /timeWindowMin must be a whole number/);
  });

  test('liveEvents: the payload sent to Meta with Meta’s answer, and the reason of a drop', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    const purchase = serverEvent({ event_name: 'Purchase', custom_data: { currency: 'EUR', value: 12.5 } });
    await send(px, [purchase]);
    await drained(px);
    ok(await t.gql(FILTER, { tenantId, input: { eventName: 'Lead', filterState: 'DROP' } }));
    const lead = serverEvent({ event_name: 'Lead' });
    await send(px, [lead]);

    let events: any[] = [];
    await waitFor(async () => {
      events = ok(await t.gql(LIVE, { tenantId, pixelId: px.pixelId })).tenantQueries.liveEvents;
      return events.length >= 2;
    }, 'two live events');
    const [dropped, published] = events;
    assert.equal(dropped.outcome, 'DROPPED', 'newest first');
    assert.equal(dropped.eventId, lead.event_id);
    assert.match(dropped.reason, /event_blocked: publishing of Lead is switched off/);
    assert.equal(dropped.response, null);

    assert.equal(published.outcome, 'PUBLISHED');
    assert.equal(published.eventName, 'Purchase');
    assert.equal(published.eventId, purchase.event_id);
    const sent = JSON.parse(published.payload);
    assert.deepEqual(sent.custom_data, { currency: 'EUR', value: 12.5 });
    const atFake = t.gw.fake.events(px.pixelId).find((e) => e.event.event_id === purchase.event_id);
    assert.deepEqual(sent, atFake?.event, 'the payload is exactly what reached Meta');
    assert.equal(JSON.parse(published.response).events_received, 1);

    const newer = ok(await t.gql(LIVE, { tenantId, pixelId: px.pixelId, afterId: dropped.id })).tenantQueries;
    assert.deepEqual(newer.liveEvents, [], 'afterId returns only newer events');

    const foreign = await t.connectPixel(await t.newAccount());
    const wrong = await t.gql(LIVE, { tenantId, pixelId: foreign.pixelId });
    assert.match(wrong.body.errors?.[0]?.message ?? '', /not found in account/, 'another account’s pixel');
  });

  test('liveEvents: customer information of dropped events is stored hashed, never in the clear', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    ok(await t.gql(FILTER, { tenantId, input: { eventName: 'Lead', filterState: 'DROP' } }));
    await t.gw.gateway.accounts.setDomainFilter(tenantId, null, 'https://blocked.example/', 'DROP');
    t.gw.gateway.directory.invalidate();
    const person = { em: 'Plain.Person@Example.com', ph: '+1 (650) 555-0123', fn: 'Zoë', email: 'stray@example.com' };
    const lead = serverEvent({ event_name: 'Lead', user_data: { ...person, client_user_agent: 'UA' } });
    await send(px, [lead]);
    const browser = await t.gw.postBrowser(
      browserEvent(px.pixelId, {
        'fb.advanced_matching': { em: person.em, ph: person.ph, fn: person.fn },
        website_context: { location: 'https://blocked.example/p', referrer: '' },
      }),
    );
    assert.deepEqual((await browser.json()).dropped, { domain_blocked: 1 });
    // An event too old for Meta is dropped as invalid before hashing: its sample is hashed too.
    const stale = await t.gw.postBrowser(
      browserEvent(px.pixelId, {
        event_time: Math.floor(Date.now() / 1000) - 30 * 86_400,
        'fb.advanced_matching': { em: person.em },
      }),
    );
    assert.deepEqual((await stale.json()).dropped, { invalid: 1 });

    let events: any[] = [];
    await waitFor(async () => {
      events = ok(await t.gql(LIVE, { tenantId, pixelId: px.pixelId })).tenantQueries.liveEvents;
      return events.length >= 3;
    }, 'three dropped live events');
    const stored = await t.gw.gateway.db.query<{ payload: unknown }>(
      'SELECT payload::text AS payload FROM recent_events WHERE pixel_id = $1',
      [px.pixelId],
    );
    const everything = JSON.stringify(events) + JSON.stringify(stored);
    for (const clear of [
      'Plain.Person',
      'plain.person@example.com',
      '555-0123',
      '6505550123',
      'Zoë',
      'stray@example.com',
    ]) {
      assert.ok(!everything.includes(clear), `"${clear}" is not kept`);
    }
    const emailHash = createHash('sha256').update('plain.person@example.com').digest('hex');
    for (const e of events) {
      assert.equal(e.outcome, 'DROPPED');
      assert.equal(JSON.parse(e.payload).user_data.em, emailHash, 'the email as Meta would have received it');
    }
  });

  test('dead letters and live events are newest first by number, across pages, past ten ids', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    t.gw.fake.addFault({ pixel_id: px.pixelId, kind: 'graph_error', code: 100, match_event_name: 'Bad' });
    const bad = Array.from({ length: 12 }, (_, i) => serverEvent({ event_name: 'Bad', event_id: `bad-${i}` }));
    await send(px, bad);
    await drained(px);
    t.gw.fake.clearFaults();

    const pages: any[][] = [];
    let before: string | null = null;
    do {
      const page: any = ok(await t.gql(LETTERS, { tenantId, limit: 5, before })).tenantQueries.deadLetters;
      pages.push(page.items);
      before = page.nextBefore;
    } while (before && pages.length < 10);
    assert.deepEqual(
      pages.map((p) => p.length),
      [5, 5, 2],
    );
    const ids = pages.flat().map((l) => Number(l.id));
    assert.ok(Math.max(...ids) >= 10, 'ids reach two digits');
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      'newest (highest id) first',
    );
    assert.equal(new Set(ids).size, 12);

    const live = ok(await t.gql(LIVE, { tenantId, pixelId: px.pixelId })).tenantQueries.liveEvents as any[];
    const liveIds = live.map((e) => Number(e.id));
    assert.deepEqual(
      liveIds,
      [...liveIds].sort((a, b) => b - a),
    );
  });

  test('dead letters: listed with Meta’s error, replayed once after the fix, and scoped to the account', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    t.gw.fake.addFault({
      pixel_id: px.pixelId,
      kind: 'graph_error',
      code: 100,
      subcode: 2804050,
      match_event_name: 'Poison',
      message: 'Invalid parameter',
    });
    const poison = Array.from({ length: 3 }, () => serverEvent({ event_name: 'Poison' }));
    await send(px, [serverEvent(), ...poison]);
    await drained(px);

    const first = ok(await t.gql(LETTERS, { tenantId, limit: 2 })).tenantQueries.deadLetters;
    assert.equal(first.items.length, 2);
    assert.ok(first.nextBefore, 'a second page follows');
    const second = ok(await t.gql(LETTERS, { tenantId, limit: 2, before: first.nextBefore })).tenantQueries.deadLetters;
    assert.equal(second.items.length, 1);
    assert.equal(second.nextBefore, null);
    const letters = [...first.items, ...second.items];
    assert.deepEqual(new Set(letters.map((l: any) => l.eventId)), new Set(poison.map((e) => e.event_id)));
    const letter = letters[0];
    assert.equal(letter.reason, 'rejected');
    assert.equal(letter.errorCode, 100);
    assert.equal(letter.errorSubcode, 2804050);
    assert.match(letter.errorMessage, /Invalid parameter/);
    assert.equal(letter.replayedAt, null);
    assert.equal(JSON.parse(letter.payload).event_id, letter.eventId);

    const live = ok(await t.gql(LIVE, { tenantId, pixelId: px.pixelId })).tenantQueries.liveEvents;
    assert.ok(live.some((e: any) => e.outcome === 'DEAD_LETTERED' && /Invalid parameter/.test(e.reason)));

    // A view-only person of the account sees them and cannot replay them.
    const viewer = await signInAs(t.gw, { roles: [`advertiser-view-${tenantId}`] });
    const seen = await viewer.gql(LETTERS, { tenantId }, { path: 'capig' });
    assert.equal(seen.body.data.tenantQueries.deadLetters.items.length, 3);
    const refused = await viewer.gql(REPLAY, { tenantId, ids: [letter.id] }, { path: 'capig' });
    assert.ok(refused.body.errors?.length, 'a viewer cannot replay');

    // Another account cannot replay them by id.
    const otherTenant = await t.newAccount();
    const cross = ok(await t.gql(REPLAY, { tenantId: otherTenant, ids: [letter.id] }));
    assert.equal(cross.tenantMutations.replayDeadLetters.replayed, 0);

    t.gw.fake.clearFaults();
    const ids = letters.slice(0, 2).map((l: any) => l.id);
    const replay = ok(await t.gql(REPLAY, { tenantId, ids })).tenantMutations.replayDeadLetters;
    assert.equal(replay.replayed, 2);
    await drained(px);
    const delivered = new Set(t.gw.fake.events(px.pixelId).map((e) => e.event.event_id));
    for (const l of letters.slice(0, 2)) assert.ok(delivered.has(l.eventId), `replayed ${l.eventId} reached Meta`);
    assert.ok(!delivered.has(letters[2].eventId), 'the letter not chosen stays');

    const again = ok(await t.gql(REPLAY, { tenantId, ids })).tenantMutations.replayDeadLetters;
    assert.equal(again.replayed, 0, 'a letter is replayed once');
    const after = ok(await t.gql(LETTERS, { tenantId })).tenantQueries.deadLetters.items;
    assert.equal(after.filter((l: any) => l.replayedAt !== null).length, 2);

    const bad = await t.gql(REPLAY, { tenantId, ids: ['abc'] });
    assert.match(bad.body.errors?.[0]?.message ?? '', /is not a dead letter id/);
  });
});
