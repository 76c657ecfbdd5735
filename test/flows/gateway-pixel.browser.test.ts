import assert from 'node:assert/strict';
import { createHash, randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { gatewayPixelHeaderCode } from '../../src/ingest/pixel-sdk.js';
import { browserTestsSkipped, launchChromium } from '../browser.js';
import { startTestGateway, type TestGateway, waitFor } from '../harness.js';
import { FAKE_FBEVENTS, LOCALTEST_ARGS, META, META_SNIPPET, startTestSite, type TestSite } from '../tag-pages.js';

// Our tag as the Signals Gateway pixel (cbq) in a real Chromium: the header code from
// gatewayPixelHeaderCode on a shop's page (shop.localtest), the tag served by the gateway, and what
// the page sends to POST /events. The gateway reaches Meta through the fake Graph API.
//
// The ids are pixel connections made with the harness: the tag treats every id alike, and the
// 19-digit one has the shape of a Signals Gateway source id.

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const sgShapedId = () => `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${Date.now() % 1e9}`;

type Body = Record<string, any>;
interface Post {
  url: string;
  /** 'ping' for sendBeacon, 'fetch' for fetch. */
  type: string;
  body: Body;
  cookie: string;
}

function html(head: string, body = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title><link rel="icon" href="data:,">
${head}</head><body>${body}</body></html>`;
}

describe('the Signals Gateway pixel (cbq) in Chromium', { skip: browserTestsSkipped() }, () => {
  let gw: TestGateway;
  let browser: Browser;
  let site: TestSite;
  /** The gateway under a name on the shop's own site (a first-party subdomain). */
  let capigUrl = '';

  before(async () => {
    gw = await startTestGateway();
    site = await startTestSite();
    capigUrl = `http://capig.shop.localtest:${new URL(gw.url).port}`;
    browser = await launchChromium({ args: LOCALTEST_ARGS });
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await site?.close();
      await gw?.stop();
    }
  });

  /**
   * A fresh context: Meta's fbevents.js is the decorating fake (300 ms late, like a CDN script), and our
   * tag comes `tagDelayMs` late, so the page's calls wait in the snippet's stubs.
   */
  async function openContext(o: { tagDelayMs?: number; noBeacon?: boolean } = {}): Promise<BrowserContext> {
    const context = await browser.newContext();
    await context.route(`${META}**`, async (route) => {
      await delay(300);
      await route.fulfill({ status: 200, contentType: 'application/javascript', body: FAKE_FBEVENTS.decorating });
    });
    if (o.tagDelayMs) {
      await context.route('**/sdk/*/events.js', async (route) => {
        await delay(o.tagDelayMs ?? 0);
        await route.continue();
      });
    }
    // Without sendBeacon the tag posts with fetch (credentials: 'include').
    if (o.noBeacon)
      await context.addInitScript(() => Object.defineProperty(navigator, 'sendBeacon', { value: undefined }));
    return context;
  }

  /** What the page posted to /events on any host (with the cookies sent), and anything that went wrong. */
  function watch(page: Page) {
    const problems: string[] = [];
    const posts: Post[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      if (!r.url().startsWith(META)) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
    });
    page.on('request', (r) => {
      if (r.method() !== 'POST' || new URL(r.url()).pathname !== '/events') return;
      const post: Post = { url: r.url(), type: r.resourceType(), body: JSON.parse(r.postData() ?? 'null'), cookie: '' };
      posts.push(post);
      void r.allHeaders().then((h) => {
        post.cookie = h.cookie ?? '';
      });
    });
    return { problems, posts };
  }

  const byName = (posts: Post[], name: string) => posts.filter((p) => p.body.event_name === name).map((p) => p.body);
  const metaCalls = (page: Page) => page.evaluate(() => (window as any).__metaCalls as [string, ...any[]][]);

  test('the header code: calls queued before the tag loads, then init / track / trackCustom / trackSingle', async () => {
    const { pixelId: id } = await gw.addPixel({ pixelId: sgShapedId() });
    const head = `${gatewayPixelHeaderCode({ sourceId: id, endpoint: gw.url })}
<script>
  cbq('init', ${JSON.stringify(id)}, { em: 'Jane.Doe@Example.com', external_id: 'U-42' });
  cbq('track', 'ViewContent', { content_ids: ['sku-1'] }, { eventID: 'vc-1' });
  window.__queuedBeforeTag = cbq.queue.length;
</script>`;
    const buttons = `
<button id="purchase" onclick="cbq('track', 'Purchase', { value: 12.5, currency: 'EUR' })">Buy</button>
<button id="custom" onclick="cbq('trackCustom', 'Wishlist', { item: 'sku-2' }, { eventID: 'wl-1' })">Wish</button>
<button id="single" onclick="cbq('trackSingle', '${id}', 'Lead', {}, { eventID: 'lead-1' }); cbq('trackSingle', '42', 'Lead')">Sign up</button>`;
    site.pages.set('/cbq', html(head, buttons));
    const context = await openContext({ tagDelayMs: 300 });
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      const pageUrl = `http://shop.localtest:${site.port}/cbq`;
      await page.goto(pageUrl);
      assert.equal(
        await page.evaluate(() => (window as any).__queuedBeforeTag),
        5,
        'setHost, init, PageView, init, track',
      );
      await gw.fake.waitForEvents(2, { pixelId: id, timeoutMs: 15_000 });
      assert.equal(await page.evaluate(() => (window as any).cbq.queue.length), 0, 'the stub queue is run');
      await page.click('#purchase');
      await page.click('#custom');
      await page.click('#single');

      const received = await gw.fake.waitForEvents(5, { pixelId: id, timeoutMs: 15_000 });
      const atMeta = new Map(received.map((r) => [r.event.event_name as string, r.event as Body]));
      assert.deepEqual([...atMeta.keys()].sort(), ['Lead', 'PageView', 'Purchase', 'ViewContent', 'Wishlist']);
      assert.equal(atMeta.get('ViewContent')?.event_id, 'vc-1');
      assert.equal(atMeta.get('Wishlist')?.event_id, 'wl-1', 'trackCustom: the eventID of the 4th argument');
      assert.equal(atMeta.get('Lead')?.event_id, 'lead-1', 'trackSingle: the eventID of the 5th argument');
      assert.match(atMeta.get('PageView')?.event_id, UUID);
      assert.match(atMeta.get('Purchase')?.event_id, UUID);
      assert.deepEqual(atMeta.get('Purchase')?.custom_data, { value: 12.5, currency: 'EUR' });
      assert.deepEqual(atMeta.get('Wishlist')?.custom_data, { item: 'sku-2' });
      assert.deepEqual([atMeta.get('Purchase')?.user_data.em].flat(), [sha256('jane.doe@example.com')]);
      assert.equal(atMeta.get('PageView')?.user_data.em, undefined, 'the PageView came before init with matching');

      await delay(200);
      assert.equal(posts.length, 5, 'one POST per event; trackSingle of a pixel the page did not init sends nothing');
      const cookie = (await context.cookies()).find((c) => c.name === '_fbp');
      for (const { url, body } of posts) {
        assert.equal(url, `${gw.url}/events`, 'to the host set with setHost');
        assert.equal(body['fb.pixel_id'], id);
        assert.equal(body['fb.fbp'], cookie?.value);
        assert.deepEqual(body.website_context, { location: pageUrl, referrer: '', isInIFrame: false });
        assert.ok(!('consent' in body), 'the page said nothing about consent');
      }
      assert.deepEqual(byName(posts, 'Purchase')[0]?.['fb.advanced_matching'], {
        em: 'jane.doe@example.com',
        external_id: 'U-42',
      });
      assert.deepEqual(byName(posts, 'Purchase')[0]?.conversion_value, { value: 12.5, currency: 'EUR' });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  for (const transport of ['sendBeacon', 'fetch'] as const) {
    test(`setHost per pixel, and cookies ride along to a first-party gateway (${transport})`, async () => {
      const first = await gw.addPixel();
      const second = await gw.addPixel();
      // The tag comes from the first-party name; the second pixel is set up to send to the other one.
      const head = `${gatewayPixelHeaderCode({ sourceId: first.pixelId, endpoint: capigUrl })}
<script>
  cbq('setHost', ${JSON.stringify(`${gw.url}/`)});
  cbq('init', ${JSON.stringify(second.pixelId)});
  cbq('trackSingle', ${JSON.stringify(second.pixelId)}, 'Lead');
</script>`;
      const path = `/hosts-${transport}`;
      site.pages.set(path, html(head));
      const context = await openContext({ noBeacon: transport === 'fetch' });
      try {
        const page = await context.newPage();
        const { problems, posts } = watch(page);
        await page.goto(`http://shop.localtest:${site.port}${path}`);
        await gw.fake.waitForEvents(1, { pixelId: first.pixelId, timeoutMs: 15_000 });
        await gw.fake.waitForEvents(1, { pixelId: second.pixelId, timeoutMs: 15_000 });
        const fbp = (await context.cookies()).find((c) => c.name === '_fbp');
        assert.ok(fbp, '_fbp set on the shop');
        await delay(200);
        const toFirst = posts.filter((p) => p.body['fb.pixel_id'] === first.pixelId);
        const toSecond = posts.filter((p) => p.body['fb.pixel_id'] === second.pixelId);
        assert.deepEqual(
          toFirst.map((p) => p.url),
          [`${capigUrl}/events`],
        );
        assert.deepEqual(
          toSecond.map((p) => p.url),
          [`${gw.url}/events`],
        );
        assert.deepEqual(
          posts.map((p) => p.type),
          transport === 'fetch' ? ['fetch', 'fetch'] : ['ping', 'ping'],
        );
        // Same site (capig.shop.localtest): the shop's cookies go along; another site gets none.
        assert.match(toFirst[0]?.cookie ?? '', new RegExp(`(^|; )_fbp=${fbp.value.replace(/\./g, '\\.')}(;|$)`));
        assert.equal(toSecond[0]?.cookie, '');
        // No CORS error for fetch with credentials: the gateway allows the origin with credentials.
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }

  test('fork mode: fbq track calls are sent as cbq events of the linked pixel, with the same eventID', async () => {
    const { pixelId: sg } = await gw.addPixel({ pixelId: sgShapedId() });
    const meta = '1357913579135791';
    const cbqSetup = gatewayPixelHeaderCode({ sourceId: sg, endpoint: gw.url }).replace(
      "cbq('track', 'PageView');\n",
      '',
    );
    const head = `<script>${META_SNIPPET}</script>
${cbqSetup}
<script>
  cbq('set', 'integrationMethod', 'forkFromSnippetCode@1.0');
  fbq('init', '${meta}', { em: 'Jane.Doe@Example.com' });
  fbq('set', 'cId', '${sg}', '${meta}');
  fbq('consent', 'grant');
  fbq('track', 'PageView');
</script>`;
    const buttons = `
<button id="purchase" onclick="fbq('track', 'Purchase', { value: 5, currency: 'USD' })">Buy</button>
<button id="lead" onclick="fbq('track', 'Lead', {}, { eventID: 'lead-fork-1' })">Lead</button>
<button id="single" onclick="fbq('trackSingle', '${meta}', 'Contact')">Contact</button>
<button id="custom" onclick="fbq('trackCustom', 'Promo')">Promo</button>`;
    site.pages.set('/fork', html(head, buttons));
    const context = await openContext();
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      await page.goto(`http://shop.localtest:${site.port}/fork`);
      await page.waitForFunction(() => ((window as any).__metaCalls ?? []).length >= 3);
      for (const b of ['#purchase', '#lead', '#single', '#custom']) await page.click(b);

      const received = await gw.fake.waitForEvents(5, { pixelId: sg, timeoutMs: 15_000 });
      const calls = await metaCalls(page);
      for (const r of received) {
        const name = r.event.event_name as string;
        const tracked = calls.filter((c) => c[0].startsWith('track') && c.includes(name));
        assert.equal(tracked.length, 1, `${name} reached Meta's pixel once`);
        assert.equal(
          tracked[0]?.at(-1)?.eventID,
          r.event.event_id,
          `${name}: the same eventID at Meta and the gateway`,
        );
        assert.deepEqual([(r.event.user_data as Body).em].flat(), [sha256('jane.doe@example.com')], name);
      }
      assert.equal(received.find((r) => r.event.event_name === 'Lead')?.event.event_id, 'lead-fork-1');
      await delay(200);
      assert.equal(posts.length, 5, 'each fbq event once, for the gateway pixel only');
      for (const { body } of posts) {
        assert.equal(body['fb.pixel_id'], sg);
        assert.equal(body.consent, 'granted', "fbq's consent applies to the forked events");
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('without fork mode fbq calls stay with Meta', async () => {
    const { pixelId: sg } = await gw.addPixel();
    const meta = '2468024680246802';
    const head = `<script>${META_SNIPPET}</script>
${gatewayPixelHeaderCode({ sourceId: sg, endpoint: gw.url })}
<script>
  fbq('init', '${meta}');
  fbq('set', 'cId', '${sg}', '${meta}');
  fbq('track', 'Purchase', { value: 1, currency: 'USD' });
</script>`;
    site.pages.set('/no-fork', html(head, `<button id="mark" onclick="cbq('track', 'Marker')">m</button>`));
    const context = await openContext();
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      await page.goto(`http://shop.localtest:${site.port}/no-fork`);
      await page.waitForFunction(() => ((window as any).__metaCalls ?? []).length >= 3);
      // Events go out in call order: once the later Marker is at Meta, a forked Purchase would be too.
      await page.click('#mark');
      const received = await gw.fake.waitForEvents(2, { pixelId: sg, timeoutMs: 15_000 });
      assert.deepEqual(received.map((r) => r.event.event_name).sort(), ['Marker', 'PageView']);
      assert.deepEqual(byName(posts, 'Purchase'), []);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("cbq('consent'): revoked events are sent marked denied and make no cookie; granted ones are marked granted", async () => {
    const { pixelId: id } = await gw.addPixel();
    // The page's consent manager says no before the pixel is set up (in the snippet's stub queue).
    const head = gatewayPixelHeaderCode({ sourceId: id, endpoint: gw.url }).replace(
      "cbq('setHost'",
      "cbq('consent', 'revoke');\ncbq('setHost'",
    );
    const buttons = `<button id="grant" onclick="cbq('consent', 'grant'); cbq('track', 'Purchase', { value: 3, currency: 'EUR' })">OK</button>`;
    site.pages.set('/cbq-consent', html(head, buttons));
    const context = await openContext();
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      await page.goto(`http://shop.localtest:${site.port}/cbq-consent?fbclid=Click-1`);
      // The account's policy is DROP by default: the denied PageView is posted but never reaches Meta.
      await waitFor(() => byName(posts, 'PageView').length === 1, 'the denied PageView was posted');
      assert.equal(byName(posts, 'PageView')[0]?.consent, 'denied');
      assert.equal(byName(posts, 'PageView')[0]?.['fb.fbp'], undefined);
      assert.deepEqual(
        (await context.cookies()).map((c) => c.name).filter((n) => n.startsWith('_fb')),
        [],
        'no _fbp / _fbc while denied',
      );

      await page.click('#grant');
      const received = await gw.fake.waitForEvents(1, { pixelId: id, timeoutMs: 15_000 });
      assert.deepEqual(
        gw.fake.events(id).map((r) => r.event.event_name),
        ['Purchase'],
        'the denied PageView was dropped by the default policy',
      );
      const purchase = byName(posts, 'Purchase')[0];
      assert.equal(purchase?.consent, 'granted');
      const fbp = (await context.cookies()).find((c) => c.name === '_fbp');
      assert.ok(fbp, '_fbp once granted');
      assert.equal(purchase?.['fb.fbp'], fbp.value);
      const atMeta = received.find((r) => r.event.event_name === 'Purchase')?.event;
      assert.ok(atMeta);
      assert.equal((atMeta.user_data as Body).fbp, fbp.value);
      assert.equal(atMeta.consent, undefined, 'the signal is not passed on to Meta');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
