import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { renderPixelSdk } from '../../src/ingest/pixel-sdk.js';
import { browserTestsSkipped, launchChromium } from '../browser.js';
import { startTestGateway, type TestGateway, waitFor } from '../harness.js';
import {
  FAKE_FBEVENTS,
  type FakeFbevents,
  LOCALTEST_ARGS,
  META,
  META_SNIPPET,
  startTestSite,
  type TestSite,
} from '../tag-pages.js';

// Our first-party tag in a real Chromium, next to the standard Meta Pixel snippet, on a site whose origin
// differs from the gateway's (shop.localtest -> 127.0.0.1 via --host-resolver-rules), with Meta's
// fbevents.js replaced by a fake that records what Meta's pixel would have been told.

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const FBCLID = 'AbC-123_xyz';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Lib = FakeFbevents;
type MetaCall = [string, ...any[]];

interface PageOptions {
  pixelId: string;
  sdkUrl: string;
  /** Our tag after fbq('init') + PageView instead of before (those calls then wait in the stub's queue). */
  tagAfterInit?: boolean;
  /** Calls made right after the snippet, before init. */
  before?: string;
}

function pageHtml(o: PageOptions): string {
  const tag = `<script src="${o.sdkUrl}"></script>`;
  const init = `<script>${o.before ?? ''}
    fbq('init', ${JSON.stringify(o.pixelId)}, { em: 'Jane.Doe@Example.com', fn: 'Jane' });
    fbq('track', 'PageView');
  </script>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Test shop</title><link rel="icon" href="data:,">
<script>${META_SNIPPET}</script>
${o.tagAfterInit ? init + tag : tag + init}
</head><body style="font: 14px sans-serif">
<h1>Test shop</h1>
<button id="purchase" onclick="fbq('track', 'Purchase', { value: 12.5, currency: 'EUR', content_ids: ['sku-1'] })">Buy</button>
<button id="lead" onclick="fbq('track', 'Lead', {}, { eventID: 'lead-given-1' })">Sign up</button>
<button id="grant" onclick="fbq('consent', 'grant')">Accept cookies</button>
<pre id="calls"></pre>
</body></html>`;
}

describe('the first-party tag in Chromium', { skip: browserTestsSkipped() }, () => {
  let gw: TestGateway;
  let browser: Browser;
  let site: TestSite;
  let sitePort = 0;
  let pages: Map<string, string>;

  before(async () => {
    gw = await startTestGateway();
    site = await startTestSite();
    sitePort = site.port;
    pages = site.pages;
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

  /** A fresh browser context with the fake fbevents.js, arriving 300 ms late like a CDN script. */
  async function openContext(lib: Lib): Promise<BrowserContext> {
    const context = await browser.newContext();
    await context.route(`${META}**`, async (route) => {
      await delay(300);
      await route.fulfill({ status: 200, contentType: 'application/javascript', body: FAKE_FBEVENTS[lib] });
    });
    return context;
  }

  /** Console errors, page errors and failed requests (Meta's routed URL excepted), and what was posted to us. */
  function watch(page: Page) {
    const problems: string[] = [];
    const posts: Array<Record<string, any>> = [];
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
      if (r.method() === 'POST' && r.url().startsWith(`${gw.url}/events`))
        posts.push(JSON.parse(r.postData() ?? 'null'));
    });
    return { problems, posts };
  }

  async function fbCookies(context: BrowserContext) {
    const all = await context.cookies();
    const get = (name: string): Cookie | undefined => all.find((c) => c.name === name);
    return { fbp: get('_fbp'), fbc: get('_fbc'), all };
  }

  const metaCalls = (page: Page) => page.evaluate(() => (window as any).__metaCalls as MetaCall[]);

  async function fullFlow(o: { host: string; path: string; lib: Lib; tagAfterInit: boolean; screenshot: string }) {
    const startedAt = Date.now();
    const px = await gw.addPixel();
    pages.set(o.path, pageHtml({ pixelId: px.pixelId, sdkUrl: `${gw.url}/sdk/${px.pixelId}/events.js`, ...o }));
    const context = await openContext(o.lib);
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      const pageUrl = `http://${o.host}:${sitePort}${o.path}?fbclid=${FBCLID}`;
      await page.goto(pageUrl);
      await page.waitForFunction(() => ((window as any).__metaCalls ?? []).length >= 2);
      await page.click('#purchase');
      await page.click('#lead');

      const received = await gw.fake.waitForEvents(3, { pixelId: px.pixelId, timeoutMs: 15_000 });
      const byName = new Map(received.map((r) => [r.event.event_name as string, r.event as Record<string, any>]));
      assert.deepEqual([...byName.keys()].sort(), ['Lead', 'PageView', 'Purchase']);

      const ua = await page.evaluate(() => navigator.userAgent);
      const { fbp, fbc, all } = await fbCookies(context);
      assert.ok(fbp && fbc, `_fbp and _fbc are set (cookies: ${all.map((c) => c.name).join(', ')})`);
      assert.equal(fbp.domain, '.shop.localtest', 'on the top-most domain the browser accepts');
      assert.equal(fbc.domain, '.shop.localtest');
      assert.ok(fbp.expires * 1000 > Date.now() + 89 * 86_400_000, '90 days');
      assert.ok(!all.some((c) => c.name === '_capig_probe'), 'the domain probe cookie is removed');
      assert.match(fbp.value, /^fb\.1\.\d{13}\.\d+$/);
      assert.match(fbc.value, new RegExp(`^fb\\.1\\.(\\d{13})\\.${FBCLID}$`));
      const fbcMs = Number(fbc.value.split('.')[2]);
      assert.ok(fbcMs >= startedAt && fbcMs <= Date.now(), 'creation time in ms');

      for (const [name, e] of byName) {
        assert.equal(e.action_source, 'website', name);
        assert.equal(e.event_source_url, pageUrl, name);
        assert.ok(Math.abs(e.event_time - Date.now() / 1000) < 120, name);
        const ud = e.user_data;
        assert.equal(ud.fbp, fbp.value, `${name}: fbp is the _fbp cookie`);
        assert.equal(ud.fbc, fbc.value, `${name}: fbc is the _fbc cookie, fbclid case kept`);
        // Meta takes a hash or an array of hashes; either is right.
        assert.deepEqual([ud.em].flat(), [sha256('jane.doe@example.com')], name);
        assert.deepEqual([ud.fn].flat(), [sha256('jane')], name);
        assert.equal(ud.client_user_agent, ua, name);
        assert.equal(ud.client_ip_address, '127.0.0.1', name);
      }
      assert.deepEqual(byName.get('Purchase')?.custom_data, { value: 12.5, currency: 'EUR', content_ids: ['sku-1'] });

      // Dedup: Meta's pixel got each event once, with the event_id the gateway sent.
      const calls = await metaCalls(page);
      assert.deepEqual(
        calls.find((c) => c[0] === 'init'),
        ['init', px.pixelId, { em: 'Jane.Doe@Example.com', fn: 'Jane' }],
        'init reaches Meta untouched',
      );
      assert.ok((await page.evaluate(() => (window as any).__metaReplayed)) >= 2, 'init + PageView waited in the stub');
      for (const [name, e] of byName) {
        const tracked = calls.filter((c) => c[0] === 'track' && c[1] === name);
        assert.equal(tracked.length, 1, `${name} reached Meta's pixel once`);
        assert.equal(tracked[0]?.[3]?.eventID, e.event_id, `${name}: the pixel's eventID is the gateway's event_id`);
      }
      assert.equal(byName.get('Lead')?.event_id, 'lead-given-1', "the page's own eventID is reused");
      assert.match(byName.get('PageView')?.event_id, UUID);
      assert.match(byName.get('Purchase')?.event_id, UUID);
      const purchaseCall = calls.find((c) => c[1] === 'Purchase');
      assert.deepEqual(purchaseCall?.[2], { value: 12.5, currency: 'EUR', content_ids: ['sku-1'] });

      // What the tag posted: exactly one request per event, in the /events body shape.
      await delay(300);
      assert.equal(posts.length, 3, 'one POST /events per event, no doubles');
      for (const body of posts) {
        assert.equal(body['fb.pixel_id'], px.pixelId);
        assert.equal(body['fb.fbp'], fbp.value);
        assert.equal(body['fb.fbc'], fbc.value);
        assert.deepEqual(body['fb.advanced_matching'], { em: 'jane.doe@example.com', fn: 'jane' });
        assert.deepEqual(body.website_context, { location: pageUrl, referrer: '', isInIFrame: false });
        assert.ok(Number.isInteger(body.event_time) && body.event_time < 1e11, 'event_time in seconds');
        assert.ok(!('consent' in body), 'no consent field: the page said nothing about consent');
      }
      assert.deepEqual(posts.find((b) => b.event_name === 'Purchase')?.conversion_value, {
        value: 12.5,
        currency: 'EUR',
      });

      await page.evaluate(() => {
        const pre = document.getElementById('calls');
        if (pre) pre.textContent = `Meta pixel calls:\n${JSON.stringify((window as any).__metaCalls, null, 1)}`;
      });
      await mkdir('test-artifacts', { recursive: true });
      await page.screenshot({ path: `test-artifacts/${o.screenshot}`, fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }

  test('tag before init, fbevents.js replacing fbq later: mirrored events deduplicate with the pixel', async () => {
    await fullFlow({
      host: 'shop.localtest',
      path: '/landing',
      lib: 'replacing',
      tagAfterInit: false,
      screenshot: 'pixel-sdk.png',
    });
  });

  test('tag after init + PageView on www., fbevents.js decorating the stub (as the real one does)', async () => {
    await fullFlow({
      host: 'www.shop.localtest',
      path: '/late/landing',
      lib: 'decorating',
      tagAfterInit: true,
      screenshot: 'pixel-sdk-tag-after-init.png',
    });
  });

  test('cookies persist across pages; _fbc changes only with a different fbclid', async () => {
    const px = await gw.addPixel();
    pages.set('/visits', pageHtml({ pixelId: px.pixelId, sdkUrl: `${gw.url}/sdk/${px.pixelId}/events.js` }));
    const context = await openContext('decorating');
    try {
      const page = await context.newPage();
      const { problems } = watch(page);
      const base = `http://shop.localtest:${sitePort}/visits`;
      // Each page's event is answered before the next page: leaving earlier would abort it.
      const visit = async (url: string) => {
        const answered = page.waitForResponse((r) => r.url().endsWith('/events') && r.request().method() === 'POST');
        await page.goto(url);
        await answered;
      };
      await visit(`${base}?fbclid=${FBCLID}`);
      const first = await fbCookies(context);
      assert.ok(first.fbp && first.fbc);
      assert.match(first.fbc.value, new RegExp(`\\.${FBCLID}$`));

      await visit(`${base}?fbclid=${FBCLID}`);
      const again = await fbCookies(context);
      assert.equal(again.fbp?.value, first.fbp.value, '_fbp is kept');
      assert.equal(again.fbc?.value, first.fbc.value, 'the same fbclid keeps _fbc (and its creation time)');

      await visit(`${base}?fbclid=Other-Click_2`);
      const other = await fbCookies(context);
      assert.equal(other.fbp?.value, first.fbp.value);
      assert.match(other.fbc?.value ?? '', /^fb\.1\.\d{13}\.Other-Click_2$/, 'a new fbclid replaces _fbc');

      await visit(base);
      const plain = await fbCookies(context);
      assert.equal(plain.fbc?.value, other.fbc?.value, 'no fbclid: _fbc stays');

      const received = await gw.fake.waitForEvents(4, { pixelId: px.pixelId, timeoutMs: 15_000 });
      for (const r of received) {
        const url = r.event.event_source_url as string;
        const expected: string | undefined = url.includes(FBCLID) ? first.fbc.value : other.fbc?.value;
        assert.equal((r.event.user_data as Record<string, unknown>).fbc, expected, url);
        assert.equal((r.event.user_data as Record<string, unknown>).fbp, first.fbp.value, url);
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("fbq('consent', 'revoke'): events go out marked denied, with no cookie made; after grant, marked granted", async () => {
    const px = await gw.addPixel();
    const sdkUrl = `${gw.url}/sdk/${px.pixelId}/events.js`;
    pages.set('/consent', pageHtml({ pixelId: px.pixelId, sdkUrl, before: "fbq('consent', 'revoke');" }));
    const context = await openContext('decorating');
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      await page.goto(`http://shop.localtest:${sitePort}/consent?fbclid=${FBCLID}`);
      // Not held in the page: the gateway applies the account's policy (DROP by default).
      await waitFor(() => posts.length === 1, 'the denied PageView was posted');
      assert.equal(posts[0]?.consent, 'denied');
      assert.equal(posts[0]?.['fb.fbp'], undefined, 'no _fbp of ours while denied');
      const pageView = (await metaCalls(page)).find((c) => c[0] === 'track' && c[1] === 'PageView');
      assert.equal(posts[0]?.event_id, pageView?.[3]?.eventID, 'the same eventID as the pixel');
      const denied = await fbCookies(context);
      assert.equal(denied.fbp, undefined, 'no _fbp written while consent is denied');
      assert.equal(denied.fbc, undefined, 'no _fbc written while consent is denied');

      await page.click('#grant');
      await page.click('#purchase');
      const received = await gw.fake.waitForEvents(1, { pixelId: px.pixelId, timeoutMs: 15_000 });
      const purchase = received.find((r) => r.event.event_name === 'Purchase');
      assert.ok(purchase);
      assert.deepEqual(
        gw.fake.events(px.pixelId).map((r) => r.event.event_name),
        ['Purchase'],
        'the denied PageView was dropped by the default policy',
      );
      assert.equal(purchase.event.consent, undefined, 'the signal is not passed on to Meta');
      const granted = await fbCookies(context);
      assert.ok(granted.fbp && granted.fbc, 'cookies once consent is granted');
      const sent = posts.find((b) => b.event_name === 'Purchase');
      assert.equal(sent?.consent, 'granted');
      assert.equal(sent?.['fb.fbp'], granted.fbp.value);
      assert.equal((purchase.event.user_data as Record<string, unknown>).fbp, granted.fbp.value);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});

describe('renderPixelSdk', () => {
  test('embeds the pixel id and endpoint as JS strings, and the tag never throws outside a browser', () => {
    const endpoint = 'https://gw.example.com/x"</script>\u2028$&\'/';
    const js = renderPixelSdk({ pixelId: '123', endpoint });
    assert.ok(!js.includes('</script>') && !js.includes('\u2028'), 'nothing that ends a script or a line');
    assert.ok(!js.includes('__CAPIG_'), 'both placeholders substituted');

    // Bare globals: nothing to hook, nothing thrown.
    runInNewContext(js, { window: {}, document: {} });
    runInNewContext(js, { window: undefined, document: undefined });

    // A minimal window: the beacon goes to the embedded endpoint, trailing slash removed.
    const beacons: Array<{ url: string; body: Blob }> = [];
    const window: Record<string, any> = {
      location: { href: 'https://shop.example.com/', hostname: 'shop.example.com', protocol: 'https:', search: '' },
      navigator: { sendBeacon: (url: string, body: Blob) => beacons.push({ url, body }) > 0 },
      crypto: webcrypto,
      setTimeout: () => 0,
    };
    window.fbq = () => undefined;
    runInNewContext(js, { window, document: { cookie: '', referrer: '' }, Blob });
    window.fbq('track', 'ViewContent', { content_ids: ['a'] });
    assert.equal(beacons.length, 1);
    assert.equal(beacons[0]?.url, 'https://gw.example.com/x"</script>\u2028$&\'/events');
  });
});
