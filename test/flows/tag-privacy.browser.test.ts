import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { gatewayPixelHeaderCode } from '../../src/ingest/pixel-sdk.js';
import { browserTestsSkipped, launchChromium } from '../browser.js';
import { startTestGateway, type TestGateway, type TestPixel } from '../harness.js';
import { LOCALTEST_ARGS, startTestSite, type TestSite } from '../tag-pages.js';

// The enrichment cookie and the consent path with our tag in real Chromium: the shop at
// shop.localtest, the gateway on its first-party subdomain capig.shop.localtest (both 127.0.0.1),
// the Signals Gateway pixel's header code on the pages, Meta behind the fake Graph API.

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const EM = 'Jane.Doe@Example.com';
const EM_HASH = sha256('jane.doe@example.com');

type Body = Record<string, any>;

describe('enrichment cookie and consent with our tag in Chromium', { skip: browserTestsSkipped() }, () => {
  let gw: TestGateway;
  let browser: Browser;
  let site: TestSite;
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

  /** A pixel of a new account with these privacy settings (the columns the account's settings save). */
  async function pixelWith(privacy: { enrichment?: boolean; consentPolicy?: 'IGNORE' | 'DROP' | 'LIMIT' }) {
    const px = await gw.addPixel();
    await gw.gateway.db.query('UPDATE tenants SET event_enrichment = $2, consent_policy = $3 WHERE id = $1', [
      px.tenantId,
      privacy.enrichment ?? false,
      privacy.consentPolicy ?? 'IGNORE',
    ]);
    gw.gateway.directory.invalidate(px.pixelId);
    return px;
  }

  /** A page with the header code; `before` runs in the stub queue ahead of setHost, `after` after PageView. */
  function setPage(path: string, px: TestPixel, o: { before?: string; am?: boolean; body?: string } = {}) {
    let head = gatewayPixelHeaderCode({ sourceId: px.pixelId, endpoint: capigUrl });
    if (o.before) head = head.replace("cbq('setHost'", `${o.before}\ncbq('setHost'`);
    if (o.am) head = head.replace(/cbq\('init', ("\d+")\);/, `cbq('init', $1, { em: ${JSON.stringify(EM)} });`);
    site.pages.set(
      path,
      `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">${head}</head><body>${o.body ?? ''}</body></html>`,
    );
    return `http://shop.localtest:${site.port}${path}`;
  }

  async function openContext(noBeacon: boolean): Promise<BrowserContext> {
    const context = await browser.newContext();
    // Passed on untouched; with a route Chromium reports a sendBeacon's body to Playwright (else it is null).
    await context.route('**/events', (route) => route.continue());
    if (noBeacon)
      await context.addInitScript(() => Object.defineProperty(navigator, 'sendBeacon', { value: undefined }));
    return context;
  }

  /** Problems on the page; every POST /events with the cookies it carried and the gateway's answer. */
  function watch(page: Page) {
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    return problems;
  }

  /** The next POST /events after `action`: its body and cookies, and the gateway's answer. */
  async function answered(page: Page, action: () => Promise<unknown>) {
    const waiting = page.waitForRequest((r) => new URL(r.url()).pathname === '/events' && r.method() === 'POST');
    await action();
    const req: Request = await waiting;
    const sent = JSON.parse(req.postData() ?? 'null') as Body;
    const headers = await req.allHeaders();
    const res = await req.response();
    return {
      sent,
      cookie: headers.cookie ?? '',
      status: res?.status(),
      // Chromium keeps no body of a sendBeacon's answer; the fetch path has it.
      answer: (await res?.json().catch(() => null)) as Body | null,
    };
  }

  const enrichmentCookie = async (context: BrowserContext) =>
    (await context.cookies()).find((c) => c.name === '_capig_am');

  const atMeta = async (px: TestPixel, eventId: string) => {
    const all = await gw.fake.waitForEvents(1, { pixelId: px.pixelId, timeoutMs: 15_000 });
    for (let i = 0; i < 300; i++) {
      const found = gw.fake.events(px.pixelId).find((r) => r.event.event_id === eventId);
      if (found) return found.event as Body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${eventId} never reached Meta (got ${all.length})`);
  };

  for (const transport of ['sendBeacon', 'fetch'] as const) {
    test(`enrichment: the gateway's HttpOnly cookie matches a later page's events (${transport})`, async () => {
      const px = await pixelWith({ enrichment: true });
      const signup = setPage(`/signup-${transport}`, px, { am: true });
      const later = setPage(`/later-${transport}`, px);
      const context = await openContext(transport === 'fetch');
      try {
        const page = await context.newPage();
        const problems = watch(page);
        const first = await answered(page, () => page.goto(signup));
        assert.equal(first.status, 200);
        assert.deepEqual(first.sent['fb.advanced_matching'], { em: EM.toLowerCase() });
        const cookie = await enrichmentCookie(context);
        assert.ok(cookie, `the answer to ${transport} set _capig_am`);
        assert.equal(cookie.domain, 'capig.shop.localtest', "on the gateway's own name");
        assert.equal(cookie.httpOnly, true);
        assert.ok(!cookie.value.includes('jane'), 'no plain values');
        assert.equal(await page.evaluate(() => document.cookie.includes('_capig_am')), false, 'pages cannot read it');

        const next = await answered(page, () => page.goto(later));
        assert.deepEqual(next.sent['fb.advanced_matching'], {}, 'this page knows nothing of the visitor');
        assert.match(next.cookie, new RegExp(`(^|; )_capig_am=${cookie.value}(;|$)`), 'sent along');
        const enriched = await atMeta(px, next.sent.event_id);
        assert.deepEqual([enriched.user_data.em].flat(), [EM_HASH], 'Meta gets the remembered match key');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }

  test('enrichment with consent denied: nothing remembered, nothing added; after grant it is', async () => {
    const px = await pixelWith({ enrichment: true });
    const buttons = `<button id="grant" onclick="cbq('consent', 'grant'); cbq('track', 'Lead')">OK</button>`;
    const url = setPage('/denied-enrichment', px, { before: "cbq('consent', 'revoke');", am: true, body: buttons });
    const context = await openContext(false);
    try {
      const page = await context.newPage();
      const problems = watch(page);
      const denied = await answered(page, () => page.goto(url));
      assert.equal(denied.sent.consent, 'denied');
      assert.equal(await enrichmentCookie(context), undefined, 'no cookie from a denied event');
      const granted = await answered(page, () => page.click('#grant'));
      assert.equal(granted.sent.consent, 'granted');
      assert.ok(await enrichmentCookie(context), 'remembered once consent is granted');
      assert.deepEqual([(await atMeta(px, granted.sent.event_id)).user_data.em].flat(), [EM_HASH]);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('consent policy DROP: a denied event is dropped and counted, a granted one reaches Meta', async () => {
    const px = await pixelWith({ consentPolicy: 'DROP' });
    const buttons = `<button id="grant" onclick="cbq('consent', 'grant'); cbq('track', 'Purchase', { value: 9, currency: 'EUR' })">OK</button>`;
    const url = setPage('/drop', px, { before: "cbq('consent', 'revoke');", body: buttons });
    // fetch, so the gateway's answer (with its drop counts) can be read.
    const context = await openContext(true);
    try {
      const page = await context.newPage();
      const problems = watch(page);
      const denied = await answered(page, () => page.goto(url));
      assert.equal(denied.sent.consent, 'denied');
      assert.equal(denied.answer?.queued, 0);
      assert.equal(denied.answer?.dropped?.consent_denied, 1);
      const granted = await answered(page, () => page.click('#grant'));
      assert.equal(granted.answer?.queued, 1);
      const purchase = await atMeta(px, granted.sent.event_id);
      assert.equal(purchase.event_name, 'Purchase');
      assert.equal('consent' in purchase, false);
      assert.deepEqual(
        gw.fake.events(px.pixelId).map((r) => r.event.event_name),
        ['Purchase'],
        'the denied PageView never reached Meta',
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('consent policy LIMIT: a denied event reaches Meta with only IP and user agent, and LDU', async () => {
    const px = await pixelWith({ consentPolicy: 'LIMIT' });
    const url = setPage('/limit', px, { before: "cbq('consent', 'revoke');", am: true });
    const context = await openContext(false);
    try {
      const page = await context.newPage();
      const problems = watch(page);
      const denied = await answered(page, () => page.goto(url));
      assert.equal(denied.sent.consent, 'denied');
      assert.deepEqual(
        denied.sent['fb.advanced_matching'],
        { em: EM.toLowerCase() },
        'the tag sends; the gateway limits',
      );
      const limited = await atMeta(px, denied.sent.event_id);
      assert.deepEqual(Object.keys(limited.user_data).sort(), ['client_ip_address', 'client_user_agent']);
      assert.deepEqual(limited.data_processing_options, ['LDU']);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
