import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserTestsSkipped, launchChromium } from '../browser.js';
import { type CapigTest, startCapigTest } from '../control-plane/capig-api.js';
import { HEADER_CODE, newGatewayPipeline, newMetaDestination } from '../control-plane/capig-pipelines-api.js';
import { LOCALTEST_ARGS, startTestSite, type TestSite } from '../tag-pages.js';

// A Signals Gateway pixel as an advertiser sets it up: a pipeline with an ADVERTISER_HOSTED_PIXEL
// source and a Meta Conversions API destination (dataset + token), the header code from
// createGatewayPixelHeaderCode pasted into the shop's page, and the page's events at Meta under the
// destination's dataset, with the page's eventIDs.

const DATASET = '777000111222333';

describe('a Signals Gateway source fed by our tag in Chromium', { skip: browserTestsSkipped() }, () => {
  let t: CapigTest;
  let browser: Browser;
  let site: TestSite;
  let tenantId = '';
  let sourceId = '';
  let headerCode = '';

  const ok = (answer: Awaited<ReturnType<CapigTest['gql']>>) => {
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    return answer.body.data;
  };

  before(async () => {
    t = await startCapigTest();
    site = await startTestSite();
    browser = await launchChromium({ args: LOCALTEST_ARGS });
    tenantId = await t.newAccount();
    let pipelineId: string;
    ({ pipelineId, sourceId } = await newGatewayPipeline(t, tenantId, 'Website'));
    await newMetaDestination(t, tenantId, pipelineId, DATASET);
    headerCode = ok(await t.gql(HEADER_CODE, { tenantId, dataSourceId: sourceId })).tenantMutations.dataSourceMutations
      .createGatewayPixelHeaderCode;
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await site?.close();
      await t?.stop();
    }
  });

  test("the header code's PageView and the page's cbq events reach Meta's dataset with their eventIDs", async () => {
    assert.match(sourceId, /^[1-9]\d{18}$/, 'a Signals Gateway source id');
    site.pages.set(
      '/shop',
      `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">${headerCode}</head><body>
<button id="buy" onclick="cbq('track', 'Purchase', { value: 20, currency: 'EUR' }, { eventID: 'order-77' })">Buy</button>
</body></html>`,
    );
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
      });
      await page.goto(`http://shop.localtest:${site.port}/shop`);
      await t.gw.fake.waitForEvents(1, { pixelId: DATASET, timeoutMs: 15_000 });
      await page.click('#buy');
      const received = await t.gw.fake.waitForEvents(2, { pixelId: DATASET, timeoutMs: 15_000 });
      const purchase = received.find((r) => r.event.event_name === 'Purchase')?.event;
      assert.ok(purchase);
      assert.equal(purchase.event_id, 'order-77');
      assert.deepEqual(purchase.custom_data, { value: 20, currency: 'EUR' });
      assert.equal(purchase.action_source, 'website');
      assert.equal(purchase.event_source_url, `http://shop.localtest:${site.port}/shop`);
      assert.ok(received.some((r) => r.event.event_name === 'PageView'));
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
