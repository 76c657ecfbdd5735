import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserEvent, serverEvent, waitFor } from '../harness.js';
import { type CapigTest, type ConnectedPixel, codes, newPixelId, startCapigTest } from './capig-api.js';

// updateEventFilter / updateDomainFilter through GraphQL stop exactly the events they should, and
// eventFilters / domainFilters read them back (MIXED when the account's pixels disagree).
describe('capig: event and domain filters', () => {
  let t: CapigTest;
  before(async () => {
    t = await startCapigTest();
  });
  after(() => t.stop());

  const EVENT = `mutation E($tenantId: ID!, $input: UpdateEventFilterInput!) { tenantMutations(tenantId: $tenantId) {
    updateEventFilter(input: $input) { updatedFilter { id eventName pixelId filterState } } } }`;
  const DOMAIN = `mutation D($tenantId: ID!, $input: UpdateDomainFilterInput!) { tenantMutations(tenantId: $tenantId) {
    updateDomainFilter(input: $input) { updatedFilter { id domain pixelId filterState } } } }`;
  const READ = `query R($tenantId: ID!, $pixelIds: [String!]) { tenantQueries(tenantId: $tenantId) {
    eventFilters(pixelIds: $pixelIds) { id eventName pixelId filterState }
    domainFilters(pixelIds: $pixelIds) { id domain pixelId filterState } } }`;

  const updateEvent = async (tenantId: string, input: Record<string, unknown>) => {
    const res = await t.gql(EVENT, { tenantId, input });
    return { res, filter: res.body.data?.tenantMutations?.updateEventFilter?.updatedFilter };
  };
  const updateDomain = async (tenantId: string, input: Record<string, unknown>) => {
    const res = await t.gql(DOMAIN, { tenantId, input });
    return { res, filter: res.body.data?.tenantMutations?.updateDomainFilter?.updatedFilter };
  };
  const read = async (tenantId: string, pixelIds?: string[]) =>
    (await t.gql(READ, { tenantId, pixelIds })).body.data.tenantQueries;
  const published = (px: ConnectedPixel) => t.gw.fake.events(px.pixelId).map((e) => e.event.event_name as string);
  async function settle(px: ConnectedPixel) {
    const marker = serverEvent({ event_name: 'Marker', event_source_url: 'https://marker.example/' });
    await t.gw.postServer(px.pixelId, { data: [marker] }, px.accessKey);
    await waitFor(() => t.gw.fake.events(px.pixelId).some((e) => e.event.event_id === marker.event_id), 'marker');
    await waitFor(async () => (await t.gw.gateway.queue.depth(px.pixelId)) === 0, 'queue drained');
  }

  test('an event filter per pixel stops that event of that pixel only; MIXED reads back', async () => {
    const tenantId = await t.newAccount();
    const a = await t.connectPixel(tenantId);
    const b = await t.connectPixel(tenantId);
    const { filter } = await updateEvent(tenantId, {
      eventName: 'AddToCart',
      pixelIds: [a.pixelId],
      filterState: 'DROP',
    });
    assert.deepEqual(filter, {
      id: `EventFilter:AddToCart:${a.pixelId}`,
      eventName: 'AddToCart',
      pixelId: a.pixelId,
      filterState: 'DROP',
    });
    const data = [serverEvent({ event_name: 'AddToCart' }), serverEvent({ event_name: 'Purchase' })];
    await t.gw.postServer(a.pixelId, { data }, a.accessKey);
    await t.gw.postServer(b.pixelId, { data }, b.accessKey);
    await settle(a);
    await settle(b);
    assert.deepEqual(published(a), ['Purchase', 'Marker']);
    assert.deepEqual(published(b).sort(), ['AddToCart', 'Marker', 'Purchase']);

    const all = await read(tenantId);
    assert.deepEqual(all.eventFilters, [
      { id: 'EventFilter:AddToCart:global', eventName: 'AddToCart', pixelId: null, filterState: 'MIXED' },
    ]);
    const perPixel = await read(tenantId, [a.pixelId, b.pixelId]);
    assert.deepEqual(perPixel.eventFilters, [
      { id: `EventFilter:AddToCart:${a.pixelId}`, eventName: 'AddToCart', pixelId: a.pixelId, filterState: 'DROP' },
    ]);
    // Two pixels in one update answer with the account-wide state.
    const both = await updateEvent(tenantId, {
      eventName: 'Lead',
      pixelIds: [a.pixelId, b.pixelId],
      filterState: 'DROP',
    });
    assert.deepEqual(both.filter, {
      id: 'EventFilter:Lead:global',
      eventName: 'Lead',
      pixelId: null,
      filterState: 'DROP',
    });
  });

  test('an account-wide event filter (pixelIds null) applies to every pixel, replacing their own rules', async () => {
    const tenantId = await t.newAccount();
    const a = await t.connectPixel(tenantId);
    const b = await t.connectPixel(tenantId);
    await updateEvent(tenantId, { eventName: 'Lead', pixelIds: [b.pixelId], filterState: 'PUBLISH' });
    const { filter } = await updateEvent(tenantId, { eventName: 'Lead', pixelIds: null, filterState: 'DROP' });
    assert.deepEqual(filter, { id: 'EventFilter:Lead:global', eventName: 'Lead', pixelId: null, filterState: 'DROP' });
    await t.gw.postBrowser([
      browserEvent(a.pixelId, { event_name: 'Lead' }),
      browserEvent(b.pixelId, { event_name: 'Lead' }),
    ]);
    await settle(a);
    await settle(b);
    assert.deepEqual(published(a), ['Marker']);
    assert.deepEqual(published(b), ['Marker']);
    assert.deepEqual((await read(tenantId)).eventFilters, [
      { id: 'EventFilter:Lead:global', eventName: 'Lead', pixelId: null, filterState: 'DROP' },
    ]);

    // PUBLISH for the whole account lets it through again.
    await updateEvent(tenantId, { eventName: 'Lead', filterState: 'PUBLISH' });
    await t.gw.postBrowser(browserEvent(a.pixelId, { event_name: 'Lead' }));
    await waitFor(() => published(a).includes('Lead'), 'Lead published again');
  });

  test('a domain filter blocks a website and its subdomains; PUBLISH unblocks it', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    const { filter } = await updateDomain(tenantId, {
      domain: 'https://WWW.Blocked.example/path',
      filterState: 'DROP',
    });
    assert.deepEqual(filter, {
      id: 'DomainFilter:blocked.example:global',
      domain: 'blocked.example',
      pixelId: null,
      filterState: 'DROP',
    });
    const at = (url: string) => browserEvent(px.pixelId, { website_context: { location: url, referrer: '' } });
    await t.gw.postBrowser([
      at('https://blocked.example/a'),
      at('https://shop.blocked.example/b'),
      at('https://ok.example/'),
    ]);
    await settle(px);
    assert.deepEqual(
      t.gw.fake.events(px.pixelId).map((e) => e.event.event_source_url),
      ['https://ok.example/', 'https://marker.example/'],
    );
    assert.deepEqual((await read(tenantId)).domainFilters, [
      { id: 'DomainFilter:blocked.example:global', domain: 'blocked.example', pixelId: null, filterState: 'DROP' },
    ]);

    const per = await updateDomain(tenantId, {
      domain: 'blocked.example',
      pixelIds: [px.pixelId],
      filterState: 'PUBLISH',
    });
    assert.equal(per.filter.id, `DomainFilter:blocked.example:${px.pixelId}`);
    await t.gw.postBrowser(at('https://blocked.example/again'));
    await waitFor(() => t.gw.fake.events(px.pixelId).length === 3, 'unblocked for that pixel');
  });

  test('bad filter input is a 400; a pixel of another account or unknown is a 404', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    const foreign = await t.connectPixel(await t.newAccount());
    const cases: Array<[Promise<{ res: any }>, number, RegExp]> = [
      [updateEvent(tenantId, { eventName: 'Lead', filterState: 'MIXED' }), 400, /MIXED is only reported by reads/],
      [updateDomain(tenantId, { domain: 'a.example', filterState: 'MIXED' }), 400, /PUBLISH or DROP/],
      [updateEvent(tenantId, { eventName: ' ', filterState: 'DROP' }), 400, /eventName is empty/],
      [updateEvent(tenantId, { eventName: 'Lead', pixelIds: [], filterState: 'DROP' }), 400, /pixelIds is empty/],
      [updateDomain(tenantId, { domain: 'not a domain', filterState: 'DROP' }), 400, /host name/],
      [updateDomain(tenantId, { domain: '', filterState: 'DROP' }), 400, /host name/],
      [
        updateEvent(tenantId, { eventName: 'Lead', pixelIds: [px.pixelId, foreign.pixelId], filterState: 'DROP' }),
        404,
        new RegExp(`pixel ${foreign.pixelId} not found`),
      ],
      [
        updateDomain(tenantId, { domain: 'a.example', pixelIds: [newPixelId()], filterState: 'DROP' }),
        404,
        /not found/,
      ],
    ];
    for (const [pending, code, pattern] of cases) {
      const { res } = await pending;
      assert.deepEqual(codes(res), [code]);
      assert.match(res.body.errors[0].message, pattern);
    }
    const reads = await t.gql(READ, { tenantId, pixelIds: [foreign.pixelId] });
    assert.ok(codes(reads).length > 0 && codes(reads).every((c) => c === 404), JSON.stringify(reads.body));
    // Nothing was written by the refused updates, here or in the other account.
    assert.deepEqual(await read(tenantId), { eventFilters: [], domainFilters: [] });
    assert.deepEqual(await read(foreign.tenantId), { eventFilters: [], domainFilters: [] });
  });
});
