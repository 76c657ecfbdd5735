import assert from 'node:assert/strict';
import { createHash, randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hashValue } from '../../src/pipeline/steps/hash-user-data.js';
import { browserTestsSkipped, launchChromium } from '../browser.js';
import { type CapigTest, startCapigTest } from '../control-plane/capig-api.js';
import {
  HEADER_CODE,
  newGatewayPipeline,
  newMetaDestination,
  PIXEL_CONFIG,
} from '../control-plane/capig-pipelines-api.js';
import { waitFor } from '../harness.js';
import { FAKE_FBEVENTS, LOCALTEST_ARGS, META, META_SNIPPET, startTestSite, type TestSite } from '../tag-pages.js';

// A Signals Gateway pixel's settings (updateGatewayPixelConfig) take effect in the tag the gateway
// serves for it: each pixel is a real ADVERTISER_HOSTED_PIXEL source in its own pipeline with a Meta
// dataset destination, set up through /capig/graphql/, its header code on a shop's page in Chromium.

type Body = Record<string, any>;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const HEX64 = /^[0-9a-f]{64}$/;

interface GatewayPixel {
  sourceId: string;
  dataset: string;
  headerCode: string;
}

function html(head: string, body = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
${head}</head><body>${body}</body></html>`;
}

describe('a Signals Gateway pixel’s settings in the served tag (Chromium)', { skip: browserTestsSkipped() }, () => {
  let t: CapigTest;
  let browser: Browser;
  let site: TestSite;
  let tenantId = '';

  const ok = (answer: Awaited<ReturnType<CapigTest['gql']>>) => {
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    return answer.body.data;
  };

  /** A pipeline with one Signals Gateway pixel (with `config`, when given) and its own Meta dataset. */
  async function gatewayPixel(config?: Record<string, unknown>): Promise<GatewayPixel> {
    const dataset = `7${String(randomInt(1e9, 1e10))}${randomInt(1000, 9999)}`;
    const { pipelineId, sourceId } = await newGatewayPipeline(t, tenantId, `Site ${dataset}`);
    await newMetaDestination(t, tenantId, pipelineId, dataset);
    if (config) ok(await t.gql(PIXEL_CONFIG, { tenantId, pixelId: sourceId, config }));
    const headerCode = ok(await t.gql(HEADER_CODE, { tenantId, dataSourceId: sourceId })).tenantMutations
      .dataSourceMutations.createGatewayPixelHeaderCode;
    return { sourceId, dataset, headerCode };
  }

  before(async () => {
    t = await startCapigTest();
    site = await startTestSite();
    browser = await launchChromium({ args: LOCALTEST_ARGS });
    tenantId = await t.newAccount();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await site?.close();
      await t?.stop();
    }
  });

  /** A fresh context; Meta's fbevents.js is the decorating fake, 300 ms late like a CDN script. */
  async function openContext(): Promise<BrowserContext> {
    const context = await browser.newContext();
    await context.route(`${META}**`, async (route) => {
      await delay(300);
      await route.fulfill({ status: 200, contentType: 'application/javascript', body: FAKE_FBEVENTS.decorating });
    });
    return context;
  }

  /** What the page posted to /events, and anything that went wrong. */
  function watch(page: Page) {
    const problems: string[] = [];
    const posts: Body[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
    });
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/events')
        posts.push(JSON.parse(r.postData() ?? '{}'));
    });
    return { problems, posts };
  }

  test('the tag of a Signals Gateway pixel carries its settings; a Meta pixel’s and an unknown id’s carry none', async () => {
    const px = await gatewayPixel({ enabledStatus: false, aamFields: ['em'], customIntegrityScript: 'x()' });
    const meta = await t.connectPixel(tenantId);
    const settingsOf = async (id: string) => {
      const res = await fetch(`${t.gw.url}/sdk/${id}/events.js`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=1800');
      const m = /const SETTINGS_JSON = ("(?:[^"\\\n]|\\.)*");/.exec(await res.text());
      assert.ok(m, 'the settings slot is filled');
      return JSON.parse(JSON.parse(m[1] as string));
    };
    assert.deepEqual(await settingsOf(px.sourceId), { enabledStatus: false, aamFields: ['em'] });
    assert.equal(await settingsOf(meta.pixelId), null);
    assert.equal(await settingsOf('1234567890123456789'), null);
  });

  test('enabledStatus false: the pixel’s calls are accepted and nothing is sent for it', async () => {
    const off = await gatewayPixel({ enabledStatus: false });
    const on = await gatewayPixel();
    // The switched-off pixel's snippet comes first, so the tag is the one served for it; the second
    // snippet only adds its pixel (init, PageView) and marks how far the page got.
    const buttons = `<button id="buy" onclick="cbq('track', 'Purchase', { value: 9, currency: 'EUR' });
      cbq('trackSingle', '${off.sourceId}', 'Lead'); cbq('trackSingle', '${on.sourceId}', 'Marker')">Buy</button>`;
    site.pages.set('/disabled', html(off.headerCode + on.headerCode, buttons));
    const context = await openContext();
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      await page.goto(`http://shop.localtest:${site.port}/disabled`);
      await page.click('#buy');
      const received = await t.gw.fake.waitForEvents(3, { pixelId: on.dataset, timeoutMs: 15_000 });
      assert.deepEqual(received.map((r) => r.event.event_name).sort(), ['Marker', 'PageView', 'Purchase']);
      await delay(200);
      assert.deepEqual(
        posts.filter((p) => p['fb.pixel_id'] === off.sourceId),
        [],
      );
      assert.deepEqual(t.gw.fake.events(off.dataset), []);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('enableFirstPartyCookie false: no _fbp / _fbc written; a Meta-written _fbp is still sent', async () => {
    const px = await gatewayPixel({ enableFirstPartyCookie: false });
    const buttons = `<button id="buy" onclick="cbq('track', 'Purchase', { value: 4, currency: 'EUR' })">Buy</button>`;
    site.pages.set('/no-cookie', html(px.headerCode, buttons));
    const url = `http://shop.localtest:${site.port}/no-cookie?fbclid=Click-42`;

    const fresh = await openContext();
    try {
      const page = await fresh.newPage();
      const { problems, posts } = watch(page);
      await page.goto(url);
      await page.click('#buy');
      const received = await t.gw.fake.waitForEvents(2, { pixelId: px.dataset, timeoutMs: 15_000 });
      assert.deepEqual(received.map((r) => r.event.event_name).sort(), ['PageView', 'Purchase']);
      assert.deepEqual(
        (await fresh.cookies()).map((c) => c.name),
        [],
        'no cookie at all',
      );
      for (const p of posts) {
        assert.equal(p['fb.fbp'], undefined);
        assert.equal(p['fb.fbc'], undefined);
      }
      assert.deepEqual(problems, []);
    } finally {
      await fresh.close();
    }

    // Meta's pixel wrote _fbp before: it is sent as it is, and not written again (same expiry).
    const metaFbp = 'fb.1.1700000000000.1234567890';
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const visited = await openContext();
    try {
      await visited.addCookies([{ name: '_fbp', value: metaFbp, domain: 'shop.localtest', path: '/', expires }]);
      const page = await visited.newPage();
      const { problems, posts } = watch(page);
      const before = t.gw.fake.events(px.dataset).length;
      await page.goto(url);
      const received = await t.gw.fake.waitForEvents(before + 1, { pixelId: px.dataset, timeoutMs: 15_000 });
      assert.equal((received.at(-1)?.event.user_data as Body | undefined)?.fbp, metaFbp);
      assert.equal(posts[0]?.['fb.fbp'], metaFbp);
      assert.equal(posts[0]?.['fb.fbc'], undefined, 'no _fbc made from the fbclid');
      const cookies = await visited.cookies();
      assert.deepEqual(
        cookies.map((c) => [c.name, c.value, Math.round(c.expires)]),
        [['_fbp', metaFbp, expires]],
      );
      assert.deepEqual(problems, []);
    } finally {
      await visited.close();
    }
  });

  test('enableAutomaticForkMetaPixelEvent: fbq events fork into the pixel without the integrationMethod call', async () => {
    const px = await gatewayPixel({ enableAutomaticForkMetaPixelEvent: true });
    const metaId = '1122334455667788';
    const head = `<script>${META_SNIPPET}</script>
${px.headerCode.replace("cbq('track', 'PageView');\n", '')}
<script>
  fbq('init', '${metaId}');
  fbq('track', 'PageView');
</script>`;
    const buttons = `<button id="buy" onclick="fbq('track', 'Purchase', { value: 5, currency: 'USD' }, { eventID: 'order-5' })">Buy</button>`;
    site.pages.set('/auto-fork', html(head, buttons));
    const context = await openContext();
    try {
      const page = await context.newPage();
      const { problems } = watch(page);
      await page.goto(`http://shop.localtest:${site.port}/auto-fork`);
      await page.waitForFunction(() => ((window as any).__metaCalls ?? []).length >= 2);
      await page.click('#buy');
      const received = await t.gw.fake.waitForEvents(2, { pixelId: px.dataset, timeoutMs: 15_000 });
      const calls: any[][] = await page.evaluate(() => (window as any).__metaCalls);
      const pageView = calls.find((c) => c[0] === 'track' && c[1] === 'PageView');
      const atMeta = new Map(received.map((r) => [r.event.event_name as string, r.event as Body]));
      assert.deepEqual([...atMeta.keys()].sort(), ['PageView', 'Purchase']);
      assert.equal(atMeta.get('PageView')?.event_id, pageView?.at(-1)?.eventID, 'the eventID given to Meta’s pixel');
      assert.equal(atMeta.get('Purchase')?.event_id, 'order-5');
      assert.deepEqual(atMeta.get('Purchase')?.custom_data, { value: 5, currency: 'USD' });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('aamFields: only the listed advanced matching keys are sent', async () => {
    const px = await gatewayPixel({ aamFields: ['em', 'ph'] });
    const head = px.headerCode.replace(
      `cbq('init', "${px.sourceId}");`,
      `cbq('init', "${px.sourceId}", { em: 'jane@example.com', ph: '+44 20 7946 0000', fn: 'Jane', external_id: 'U-1' });`,
    );
    assert.notEqual(head, px.headerCode);
    site.pages.set('/aam-fields', html(head));
    const context = await openContext();
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      await page.goto(`http://shop.localtest:${site.port}/aam-fields`);
      const [pageView] = await t.gw.fake.waitForEvents(1, { pixelId: px.dataset, timeoutMs: 15_000 });
      assert.deepEqual(posts[0]?.['fb.advanced_matching'], { em: 'jane@example.com', ph: '+44 20 7946 0000' });
      const userData = pageView?.event.user_data as Body;
      assert.deepEqual([userData.em].flat(), [sha256('jane@example.com')]);
      assert.deepEqual([userData.ph].flat(), [sha256('442079460000')]);
      assert.equal(userData.fn, undefined);
      assert.equal(userData.external_id, undefined);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('enableContactDataHash: matching leaves the page hashed exactly as the gateway would hash it', async () => {
    const px = await gatewayPixel({ enableContactDataHash: true });
    const raw: Record<string, string> = {
      em: ' Jane.Doe@Example.com ',
      ph: '(650) 555-0100',
      fn: 'Mary-Ann',
      ln: "O'Brien",
      ct: 'San Francisco',
      st: 'CA',
      zp: '94107-1234',
      country: 'US',
      ge: 'Female',
      db: '1990-05-17',
      // Already hashed (upper-case hex): passed on, not hashed twice.
      external_id: sha256('u-42').toUpperCase(),
    };
    const head = px.headerCode.replace(
      `cbq('init', "${px.sourceId}");`,
      `cbq('init', "${px.sourceId}", ${JSON.stringify(raw)});`,
    );
    const buttons = `<button id="buy" onclick="cbq('track', 'Purchase', { value: 7, currency: 'EUR' })">Buy</button>`;
    site.pages.set('/hashed', html(head, buttons));
    const context = await openContext();
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      // localhost is a secure context, where crypto.subtle exists.
      await page.goto(`http://localhost:${site.port}/hashed`);
      assert.equal(await page.evaluate(() => window.isSecureContext), true);
      await page.click('#buy');
      const received = await t.gw.fake.waitForEvents(2, { pixelId: px.dataset, timeoutMs: 15_000 });
      assert.deepEqual(
        posts.map((p) => p.event_name),
        ['PageView', 'Purchase'],
        'in call order',
      );
      const expected = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [k, hashValue(k, v, { country: 'us' }) as string]),
      );
      assert.equal(expected.ph, sha256('16505550100'), 'the national number gets its 1 from the country');
      for (const post of posts) {
        assert.deepEqual(post['fb.advanced_matching'], expected);
        for (const v of Object.values(post['fb.advanced_matching'])) assert.match(v as string, HEX64);
        const text = JSON.stringify(post).toLowerCase();
        // Words with letters no hex digit has, so no hash can contain them by chance.
        for (const plain of ['jane', 'example', 'mary', 'brien', 'francisco', 'female']) {
          assert.ok(!text.includes(plain), `${plain} never leaves the page`);
        }
      }
      for (const r of received) {
        const userData = r.event.user_data as Body;
        for (const [k, v] of Object.entries(expected)) assert.deepEqual([userData[k]].flat(), [v], `${k} at Meta`);
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('enableContactDataHash where the page cannot hash (not a secure context): matching is left out', async () => {
    const px = await gatewayPixel({ enableContactDataHash: true });
    const head = px.headerCode.replace(
      `cbq('init', "${px.sourceId}");`,
      `cbq('init', "${px.sourceId}", { em: 'jane@example.com', ph: '6505550100' });`,
    );
    site.pages.set('/insecure-hash', html(head));
    const context = await openContext();
    try {
      const page = await context.newPage();
      const { problems, posts } = watch(page);
      await page.goto(`http://shop.localtest:${site.port}/insecure-hash`);
      assert.equal(await page.evaluate(() => window.isSecureContext), false);
      const [pageView] = await t.gw.fake.waitForEvents(1, { pixelId: px.dataset, timeoutMs: 15_000 });
      await waitFor(() => posts.length === 1, 'the PageView was posted');
      assert.deepEqual(posts[0]?.['fb.advanced_matching'], {});
      assert.equal((pageView?.event.user_data as Body | undefined)?.em, undefined);
      assert.ok(pageView);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
