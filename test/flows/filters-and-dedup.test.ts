import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countsInWindow } from '../../src/database/repos/metrics-repo.js';
import { browserEvent, serverEvent, startTestGateway, type TestGateway, type TestPixel, waitFor } from '../harness.js';

// Each rule stops exactly the events it should, and every stop is counted with its reason.
describe('switches, filters and deduplication', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  const counts = (px: TestPixel) =>
    countsInWindow(gw.gateway.db, { tenantId: px.tenantId, pixelId: px.pixelId, minutes: 60 });
  const published = (px: TestPixel) => gw.fake.events(px.pixelId).map((e) => (e.event as any).event_name as string);
  /** Sends a marker event that passes every rule and waits for it, so everything sent before has been decided. */
  async function settle(px: TestPixel) {
    const marker = serverEvent({ event_name: 'Marker' });
    await gw.postServer(px.pixelId, { data: [marker] }, px.accessKey);
    await waitFor(
      () => gw.fake.events(px.pixelId).some((e) => (e.event as any).event_id === marker.event_id),
      'marker',
    );
    // Completion (and the published count) commits right after Meta answers.
    await waitFor(async () => (await gw.gateway.queue.depth(px.pixelId)) === 0, 'queue drained');
  }

  test('the receiving switch drops browser events and rejects server events of a deactivated pixel', async () => {
    const px = await gw.addPixel();
    await gw.gateway.accounts.setPixelSwitches(px.tenantId, px.pixelId, { receiving: false });
    gw.gateway.directory.invalidate(px.pixelId);

    const browser = await gw.postBrowser(browserEvent(px.pixelId));
    assert.equal(browser.status, 200, 'browsers always get a 2xx');
    assert.deepEqual((await browser.json()).dropped, { receiving_disabled: 1 });
    const server = await gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey);
    assert.equal(server.status, 403);
    assert.match((await server.json()).error.message, /deactivated/);

    await gw.gateway.accounts.setPixelSwitches(px.tenantId, px.pixelId, { receiving: true });
    gw.gateway.directory.invalidate(px.pixelId);
    await settle(px);
    assert.deepEqual(published(px), ['Marker']);
    const c = await counts(px);
    assert.equal(c['dropped.receiving_disabled'], 1);
    assert.equal(c.received, 1, 'only the marker: a deactivated pixel discards, it does not receive');
  });

  test('a blocked website (and its subdomains) is dropped; other websites pass', async () => {
    const px = await gw.addPixel();
    await gw.gateway.accounts.setDomainFilter(px.tenantId, null, 'https://www.blocked.example/', 'DROP');
    gw.gateway.directory.invalidate();
    const at = (url: string) => browserEvent(px.pixelId, { website_context: { location: url, referrer: '' } });
    await gw.postBrowser([
      at('https://blocked.example/a'),
      at('https://shop.blocked.example/b'),
      at('https://ok.example/c'),
    ]);
    await settle(px);
    assert.deepEqual(
      gw.fake.events(px.pixelId).map((e) => (e.event as any).event_source_url),
      ['https://ok.example/c', 'https://shop.example.com/checkout'],
    );
    assert.equal((await counts(px))['dropped.domain_blocked'], 2);

    // PUBLISH unblocks it again.
    await gw.gateway.accounts.setDomainFilter(px.tenantId, null, 'blocked.example', 'PUBLISH');
    gw.gateway.directory.invalidate();
    await gw.postBrowser(at('https://blocked.example/again'));
    await waitFor(() => gw.fake.events(px.pixelId).length === 3, 'unblocked event published');
  });

  test('an event filter stops one event name of one pixel; a pixel rule beats the account rule', async () => {
    const px = await gw.addPixel();
    const other = await gw.addPixel({ tenantId: px.tenantId });
    await gw.gateway.accounts.setEventFilter(px.tenantId, null, 'AddToCart', 'DROP');
    await gw.gateway.accounts.setEventFilter(px.tenantId, other.pixelId, 'AddToCart', 'PUBLISH');
    gw.gateway.directory.invalidate();
    const data = [serverEvent({ event_name: 'AddToCart' }), serverEvent({ event_name: 'Purchase' })];
    assert.equal((await gw.postServer(px.pixelId, { data }, px.accessKey)).status, 200);
    assert.equal((await gw.postServer(other.pixelId, { data }, other.accessKey)).status, 200);
    await settle(px);
    await settle(other);
    assert.deepEqual(published(px), ['Purchase', 'Marker']);
    assert.deepEqual(published(other).sort(), ['AddToCart', 'Marker', 'Purchase']);
    assert.equal((await counts(px))['dropped.event_blocked'], 1);
    assert.equal((await counts(other))['dropped.event_blocked'], undefined);
  });

  test('the same pixel + event_name + event_id is published once; browser and server copies deduplicate', async () => {
    const px = await gw.addPixel();
    const shared = 'order-1001';
    const fromBrowser = browserEvent(px.pixelId, { event_name: 'Purchase', event_id: shared });
    assert.equal((await gw.postBrowser([fromBrowser, fromBrowser])).status, 200);
    const res = await gw.postServer(
      px.pixelId,
      {
        data: [
          serverEvent({ event_name: 'Purchase', event_id: shared }),
          serverEvent({ event_name: 'Lead', event_id: shared }),
        ],
      },
      px.accessKey,
    );
    assert.deepEqual((await res.json()).messages, ['1 event(s) not published: duplicate']);
    await settle(px);
    assert.deepEqual(
      published(px),
      ['Purchase', 'Lead', 'Marker'],
      'another event name with the same id is not a duplicate',
    );
    assert.equal((await counts(px)).deduplicated, 2);
  });

  test('the publishing switch counts events as received but not published and sends nothing', async () => {
    const px = await gw.addPixel();
    await gw.gateway.accounts.setPixelSwitches(px.tenantId, px.pixelId, { publishing: false });
    gw.gateway.directory.invalidate(px.pixelId);
    const res = await gw.postServer(px.pixelId, { data: [serverEvent(), serverEvent()] }, px.accessKey);
    assert.equal(res.status, 200);
    await gw.gateway.accounts.setPixelSwitches(px.tenantId, px.pixelId, { publishing: true });
    gw.gateway.directory.invalidate(px.pixelId);
    await settle(px);
    assert.deepEqual(published(px), ['Marker']);
    const c = await counts(px);
    assert.equal(c['dropped.publishing_disabled'], 2);
    assert.equal(c.received, 3);
    assert.equal(c.published, 1);
  });

  test('events of a deactivated account are dropped', async () => {
    const px = await gw.addPixel();
    await gw.gateway.accounts.setTenantActive(px.tenantId, false);
    gw.gateway.directory.invalidate(px.pixelId);
    const res = await gw.postBrowser(browserEvent(px.pixelId));
    assert.deepEqual((await res.json()).dropped, { account_inactive: 1 });
    assert.equal((await counts(px))['dropped.account_inactive'], 1);
  });
});
