import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { breakdownInWindow, countsInWindow, pixelTotals } from '../../src/database/repos/metrics-repo.js';
import { browserEvent, serverEvent, startTestGateway, type TestGateway, waitFor } from '../harness.js';

// Counts per account, pixel, event name, website domain and minute, answered for any window.
describe('metrics', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  test('received, published and dropped are counted per event name, domain and pixel', async () => {
    const a = await gw.addPixel();
    const b = await gw.addPixel({ tenantId: a.tenantId });
    await gw.gateway.accounts.setEventFilter(a.tenantId, null, 'Lead', 'DROP');
    gw.gateway.directory.invalidate();
    const at = (pixelId: string, name: string, url: string) =>
      browserEvent(pixelId, { event_name: name, website_context: { location: url, referrer: '' } });
    await gw.postBrowser([
      at(a.pixelId, 'PageView', 'https://one.example/'),
      at(a.pixelId, 'PageView', 'https://www.one.example/x'),
      at(a.pixelId, 'Lead', 'https://two.example/'),
      at(b.pixelId, 'PageView', 'https://two.example/'),
    ]);
    await gw.postServer(
      a.pixelId,
      { data: [serverEvent({ event_source_url: 'https://one.example/buy' })] },
      a.accessKey,
    );
    await waitFor(async () => (await gw.gateway.queue.depth()) === 0 && gw.fake.events().length >= 4, 'published');

    const tenant = a.tenantId;
    const all = await countsInWindow(gw.gateway.db, { tenantId: tenant, minutes: 60 });
    assert.equal(all.received, 5);
    assert.equal(all.published, 4);
    assert.equal(all['dropped.event_blocked'], 1);

    const byName = await breakdownInWindow(gw.gateway.db, { tenantId: tenant, minutes: 60, by: 'event_name' });
    assert.deepEqual(byName.PageView, { received: 3, published: 3 });
    assert.deepEqual(byName.Lead, { received: 1, 'dropped.event_blocked': 1 });
    assert.deepEqual(byName.Purchase, { received: 1, published: 1 });

    const byDomain = await breakdownInWindow(gw.gateway.db, {
      tenantId: tenant,
      pixelId: a.pixelId,
      minutes: 60,
      by: 'domain',
    });
    assert.deepEqual(byDomain['one.example'], { received: 3, published: 3 });
    assert.deepEqual(byDomain['two.example'], { received: 1, 'dropped.event_blocked': 1 });

    const byPixel = await breakdownInWindow(gw.gateway.db, { tenantId: tenant, minutes: 24 * 60, by: 'pixel_id' });
    assert.equal(byPixel[b.pixelId]?.published, 1);
    const byMinute = await breakdownInWindow(gw.gateway.db, { tenantId: tenant, minutes: 60, by: 'minute' });
    assert.ok(Object.keys(byMinute).every((m) => /^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/.test(m)));

    const totals = await pixelTotals(gw.gateway.db, a.pixelId);
    assert.equal(totals.received, 4);
    assert.equal(totals.published, 3);
    assert.equal(totals.dropped, 1);
    assert.ok(totals.lastReceivedAt instanceof Date && totals.lastPublishedAt instanceof Date);

    // Another account sees none of it.
    const other = await gw.addPixel();
    assert.deepEqual(await countsInWindow(gw.gateway.db, { tenantId: other.tenantId, minutes: 60 }), {});
  });
});
