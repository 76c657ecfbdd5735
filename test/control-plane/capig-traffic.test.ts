import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserEvent, serverEvent, waitFor } from '../harness.js';
import { type CapigTest, type ConnectedPixel, codes, newPixelId, startCapigTest } from './capig-api.js';

// Events flowing through the data plane move what /capig/graphql/ reports (account, eventMetrics),
// and the switches set through GraphQL stop exactly the events they should.
describe('capig: account, eventMetrics and the pixel switches', () => {
  let t: CapigTest;
  before(async () => {
    t = await startCapigTest();
  });
  after(() => t.stop());

  const ACCOUNT = `query A($tenantId: ID!, $w: Int) { tenantQueries(tenantId: $tenantId) { account(timeWindowMin: $w) {
    name status signalConfigs { id connectionId dataSetType domains connectionStatus { id connected active
      eventBridgeActive publishingEnabled accessKey apiErrorCode pixelID accessTokenAvailable badToken targetId
      totalEventsReceived totalEventsPublished lastReceived lastPublished } } } } }`;
  const METRICS = `query M($tenantId: ID!, $pixelIds: [String!], $w: Int) { tenantQueries(tenantId: $tenantId) {
    eventMetrics(pixelIds: $pixelIds, timeWindowMin: $w) { id incoming { id eventNamesCount eventsCount }
      outgoing { id eventNamesCount eventsCount publishSuccessRate }
      activity { id name receivedCount publishedCount lastUpdated }
      domainActivity { id domainName receivedCount publishedCount } } } }`;
  const SWITCH = (op: string) => `mutation S($id: ID!, $tenantId: ID!, $input: SignalConfigStatusInput!) {
    tenantMutations(tenantId: $tenantId) { signalMutations { ${op}(id: $id, input: $input) {
      success connectionStatus { id connected active eventBridgeActive publishingEnabled } } } } }`;

  const at = (px: ConnectedPixel, name: string, url: string) =>
    browserEvent(px.pixelId, { event_name: name, website_context: { location: url, referrer: '' } });
  /** A marker that passes every rule: once published, everything sent before it has been decided. */
  async function settle(px: ConnectedPixel) {
    const marker = serverEvent({ event_name: 'Marker', event_source_url: 'https://marker.example/' });
    await t.gw.postServer(px.pixelId, { data: [marker] }, px.accessKey);
    await waitFor(() => t.gw.fake.events(px.pixelId).some((e) => e.event.event_id === marker.event_id), 'marker');
    await waitFor(async () => (await t.gw.gateway.queue.depth(px.pixelId)) === 0, 'queue drained');
  }

  test('account: per pixel status, window counts, websites and last activity', async () => {
    const tenantId = await t.newAccount({ name: 'Shop account' });
    const a = await t.connectPixel(tenantId);
    const b = await t.connectPixel(tenantId);
    const idle = await t.connectPixel(tenantId);
    const before = Date.now();
    await t.gw.postBrowser([at(a, 'PageView', 'https://www.shop.example/'), at(a, 'Lead', 'https://blog.example/')]);
    await t.gw.postServer(b.pixelId, { data: [serverEvent()] }, b.accessKey);
    await settle(a);
    await settle(b);

    const res = await t.gql(ACCOUNT, { tenantId, w: 30 });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const account = res.body.data.tenantQueries.account;
    assert.equal(account.name, 'Shop account');
    assert.equal(account.status, 0);
    assert.deepEqual(
      account.signalConfigs.map((c: any) => c.connectionId),
      [a.pixelId, b.pixelId, idle.pixelId],
    );
    const [ca, cb, ci] = account.signalConfigs;
    assert.equal(ca.id, `SignalConfig:${a.pixelId}`);
    assert.equal(ca.dataSetType, 'PIXEL');
    assert.deepEqual(ca.domains, ['blog.example', 'marker.example', 'shop.example']);
    assert.deepEqual(
      { ...ca.connectionStatus, lastReceived: 0, lastPublished: 0 },
      {
        id: `ConnectionStatus:${a.pixelId}`,
        connected: true,
        active: true,
        eventBridgeActive: true,
        publishingEnabled: true,
        accessKey: a.accessKey,
        apiErrorCode: null,
        pixelID: a.pixelId,
        accessTokenAvailable: true,
        badToken: false,
        targetId: '',
        totalEventsReceived: 3,
        totalEventsPublished: 3,
        lastReceived: 0,
        lastPublished: 0,
      },
    );
    for (const key of ['lastReceived', 'lastPublished']) {
      const ms = ca.connectionStatus[key];
      assert.ok(ms >= before - 1000 && ms <= Date.now() + 1000, `${key} is epoch ms of now: ${ms}`);
    }
    assert.equal(cb.connectionStatus.totalEventsReceived, 2);
    assert.deepEqual(cb.domains, ['marker.example', 'shop.example.com']);
    assert.equal(ci.connectionStatus.totalEventsReceived, 0);
    assert.equal(ci.connectionStatus.lastReceived, 0);
    assert.deepEqual(ci.domains, []);

    const bad = await t.gql(ACCOUNT, { tenantId, w: 0 });
    assert.deepEqual(codes(bad), [400]);
  });

  test('eventMetrics: per event name and website, and a success rate of what was meant to be published', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    const other = await t.connectPixel(tenantId);
    await t.gw.gateway.accounts.setEventFilter(tenantId, null, 'Blocked', 'DROP');
    t.gw.gateway.directory.invalidate();
    // Meta rejects the event named Bad: it ends in the dead letters, a failure.
    t.gw.fake.addFault({ pixel_id: px.pixelId, kind: 'graph_error', code: 100, status: 400, match_event_name: 'Bad' });
    const data = ['Purchase', 'Purchase', 'Bad', 'Blocked'].map((n) => serverEvent({ event_name: n }));
    await t.gw.postServer(px.pixelId, { data }, px.accessKey);
    await t.gw.postBrowser(at(other, 'PageView', 'https://other.example/p'));
    await waitFor(async () => (await t.gw.gateway.queue.depth()) === 0, 'queue drained', 15_000);
    t.gw.fake.clearFaults();

    const res = await t.gql(METRICS, { tenantId, pixelIds: [px.pixelId] });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const m = res.body.data.tenantQueries.eventMetrics;
    assert.deepEqual(m.incoming, { id: 'EventTrafficSummary:incoming', eventNamesCount: 3, eventsCount: 4 });
    assert.deepEqual(m.outgoing, {
      id: 'ConversionsApiPublishSummary:global',
      eventNamesCount: 1,
      eventsCount: 2,
      publishSuccessRate: 2 / 3,
    });
    assert.deepEqual(
      m.activity.map((a: any) => [a.id, a.name, a.receivedCount, a.publishedCount]),
      [
        ['EventActivity:Purchase', 'Purchase', 2, 2],
        ['EventActivity:Bad', 'Bad', 1, 0],
        ['EventActivity:Blocked', 'Blocked', 1, 0],
      ],
    );
    for (const a of m.activity) {
      assert.match(a.lastUpdated, /^\d{13}$/);
      assert.ok(Math.abs(Number(a.lastUpdated) - Date.now()) < 120_000);
    }
    assert.deepEqual(m.domainActivity, [
      { id: 'DomainActivity:shop.example.com', domainName: 'shop.example.com', receivedCount: 4, publishedCount: 2 },
    ]);

    const all = (await t.gql(METRICS, { tenantId })).body.data.tenantQueries.eventMetrics;
    assert.equal(all.incoming.eventsCount, 5, 'without pixelIds: every pixel of the account');
    assert.deepEqual(
      all.domainActivity.map((d: any) => d.domainName),
      ['shop.example.com', 'other.example'],
    );

    const empty = await t.newAccount();
    const none = (await t.gql(METRICS, { tenantId: empty })).body.data.tenantQueries.eventMetrics;
    assert.deepEqual(none.incoming, { id: 'EventTrafficSummary:incoming', eventNamesCount: 0, eventsCount: 0 });
    assert.equal(none.outgoing.publishSuccessRate, 0);
    assert.deepEqual(none.activity, []);
    assert.deepEqual(codes(await t.gql(METRICS, { tenantId, pixelIds: [] })), [400]);
  });

  test('updateSignalConfigEventsStatus: receiving off drops browser events and refuses server events', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    const off = await t.gql(SWITCH('updateSignalConfigEventsStatus'), {
      id: px.pixelId,
      tenantId,
      input: { status: 0 },
    });
    assert.deepEqual(off.body.data.tenantMutations.signalMutations.updateSignalConfigEventsStatus, {
      success: true,
      connectionStatus: {
        id: `ConnectionStatus:${px.pixelId}`,
        connected: true,
        active: false,
        eventBridgeActive: true,
        publishingEnabled: true,
      },
    });
    const browser = await t.gw.postBrowser(browserEvent(px.pixelId));
    assert.deepEqual((await browser.json()).dropped, { receiving_disabled: 1 });
    assert.equal((await t.gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey)).status, 403);

    const on = await t.gql(SWITCH('updateSignalConfigEventsStatus'), {
      id: px.pixelId,
      tenantId,
      input: { status: 1 },
    });
    assert.equal(
      on.body.data.tenantMutations.signalMutations.updateSignalConfigEventsStatus.connectionStatus.active,
      true,
    );
    await settle(px);
    assert.deepEqual(
      t.gw.fake.events(px.pixelId).map((e) => e.event.event_name),
      ['Marker'],
    );
  });

  test('receiving off: events are discarded, not received, published or in the success rate', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    await t.gw.postBrowser(browserEvent(px.pixelId, { event_name: 'Before' }));
    await settle(px);
    const status = async () => {
      const q = `query ($tenantId: ID!) { tenantQueries(tenantId: $tenantId) {
        account { signalConfigs { connectionStatus { totalEventsReceived totalEventsPublished totalEventsDiscarded } } }
        eventTimeline(timeWindowMin: 60) { received published dropped discarded } } }`;
      const res = await t.gql(q, { tenantId });
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
      const metrics = (await t.gql(METRICS, { tenantId })).body.data.tenantQueries.eventMetrics;
      const points = res.body.data.tenantQueries.eventTimeline as Array<Record<string, number>>;
      const sum = (k: string) => points.reduce((n, p) => n + (p[k] ?? 0), 0);
      return {
        connection: res.body.data.tenantQueries.account.signalConfigs[0].connectionStatus,
        incoming: metrics.incoming.eventsCount,
        outgoing: metrics.outgoing.eventsCount,
        rate: metrics.outgoing.publishSuccessRate,
        names: metrics.activity.map((a: any) => a.name).sort(),
        timeline: {
          received: sum('received'),
          published: sum('published'),
          dropped: sum('dropped'),
          discarded: sum('discarded'),
        },
      };
    };
    const was = await status();
    assert.deepEqual(was.connection, { totalEventsReceived: 2, totalEventsPublished: 2, totalEventsDiscarded: 0 });

    await t.gql(SWITCH('updateSignalConfigEventsStatus'), { id: px.pixelId, tenantId, input: { status: 0 } });
    const sent = await t.gw.postBrowser([1, 2, 3].map(() => browserEvent(px.pixelId, { event_name: 'WhileOff' })));
    assert.deepEqual((await sent.json()).dropped, { receiving_disabled: 3 });

    const now = await status();
    assert.deepEqual(now.connection, { totalEventsReceived: 2, totalEventsPublished: 2, totalEventsDiscarded: 3 });
    assert.equal(now.incoming, was.incoming, 'eventMetrics: not received');
    assert.equal(now.outgoing, was.outgoing);
    assert.equal(now.rate, 1, 'the success rate is untouched');
    assert.deepEqual(now.names, was.names, 'the discarded event name is not in the activity');
    assert.deepEqual(now.timeline, { ...was.timeline, discarded: 3 });

    // The host's account list counts received events the same way.
    const hub = await fetch(`${t.gw.url}/hub/graphql/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
      body: JSON.stringify({
        query: 'query ($id: String!) { tenantUsage(tenantId: $id) { tenantUsageByTraffic { totalEventsReceived } } }',
        variables: { id: tenantId },
      }),
    });
    const usage = ((await hub.json()) as any).data.tenantUsage.tenantUsageByTraffic;
    assert.equal(usage.totalEventsReceived, 2);
  });

  test('updateSignalConfigCapiPublish: publishing off counts events as received and sends none', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    const vars = (status: number) => ({ id: px.pixelId, tenantId, input: { status } });
    const off = await t.gql(SWITCH('updateSignalConfigCapiPublish'), vars(0));
    const payload = off.body.data.tenantMutations.signalMutations.updateSignalConfigCapiPublish;
    assert.equal(payload.success, true);
    assert.equal(payload.connectionStatus.publishingEnabled, false);
    assert.equal(payload.connectionStatus.active, true);
    assert.equal((await t.gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey)).status, 200);
    await t.gql(SWITCH('updateSignalConfigCapiPublish'), vars(1));
    await settle(px);
    assert.deepEqual(
      t.gw.fake.events(px.pixelId).map((e) => e.event.event_name),
      ['Marker'],
    );
    const status = (await t.gql(ACCOUNT, { tenantId })).body.data.tenantQueries.account.signalConfigs[0];
    assert.equal(status.connectionStatus.totalEventsReceived, 2);
    assert.equal(status.connectionStatus.totalEventsPublished, 1);
  });

  test('switches: a status other than 0 or 1 is a 400; an unknown pixel is a 404', async () => {
    const tenantId = await t.newAccount();
    const px = await t.connectPixel(tenantId);
    for (const op of ['updateSignalConfigEventsStatus', 'updateSignalConfigCapiPublish']) {
      const two = await t.gql(SWITCH(op), { id: px.pixelId, tenantId, input: { status: 2 } });
      assert.deepEqual(codes(two), [400], op);
      assert.match(two.body.errors?.[0]?.message ?? '', /0 \(off\) or 1 \(on\)/);
      const unknown = await t.gql(SWITCH(op), { id: newPixelId(), tenantId, input: { status: 1 } });
      assert.deepEqual(codes(unknown), [404], op);
    }
  });
});
