import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserTestsSkipped, launchChromium } from '../browser.js';
import { apiToken, createAccount, createPerson } from '../control-plane/people.js';
import { serverEvent, startTestGateway, type TestGateway, waitFor } from '../harness.js';
import { json, type Receiver, startReceiver } from '../http-receiver.js';
import { csvTime } from '../uploads.js';
import { openPage, type WatchedPage } from './ui.js';

// The pipeline screens end to end in Chromium: a Signals Gateway pipeline made through the
// dashboard with a custom HTTP destination on a real local server (its settings saved, a test
// event sent and shown, a real event delivered and counted), a CSV of 100,000 rows uploaded
// through the upload screen and checked against what reached the fake Graph API, the privacy
// settings, and every new screen at 390 px.

describe('pipelines, custom HTTP, file upload and privacy screens', { skip: browserTestsSkipped() }, () => {
  let gw: TestGateway;
  let receiver: Receiver;
  let browser: Browser;
  let ui: WatchedPage;
  let dir: string;
  let tenantId: string;
  let pixelId: string;
  let accountUrl = '';
  let destinationUrl = '';
  let destinationId = '';
  let email = '';
  let password = '';

  before(async () => {
    // The destination is this machine: the host allows it explicitly, as an operator would.
    gw = await startTestGateway({ env: { CAPIG_DESTINATION_ALLOW: 'public,127.0.0.1/32' } });
    // A destination's server: records every request and answers 200 with JSON.
    receiver = await startReceiver((_req, res) =>
      json(res, 200, { accepted: receiver.received.length }, { 'x-receiver': 'warehouse' }),
    );
    dir = await mkdtemp(join(tmpdir(), 'capig-upload-'));
    tenantId = await createAccount(gw, { name: 'Pipeline Shop' });
    pixelId = `${Date.now()}`.padEnd(16, '7');
    // Connected through the API, as Events Manager or a script would: that makes its Meta CAPI pipeline.
    const api = await apiToken(gw);
    const connected = await api.gql(
      `mutation ($t: ID!, $input: PixelConnectionCreationInput!) {
         tenantMutations(tenantId: $t) { signalMutations { setupPixelSignalConfig(input: $input) { id } } } }`,
      { t: tenantId, input: { pixelId, businessId: '987654321012', accessToken: 'EAAgoodtoken1234', externalId: '' } },
      { path: 'capig' },
    );
    assert.equal(connected.body.errors, undefined, JSON.stringify(connected.body));
    ({ email, password } = await createPerson(gw, { roles: [`advertiser-admin-${tenantId}`] }));
    browser = await launchChromium();
    ui = await openPage(browser, { label: 'pipelines' });
    accountUrl = `${gw.url}/hub/a/${tenantId}`;
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await gw?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function logIn(page: WatchedPage['page']) {
    await page.goto(`${gw.url}/hub/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/hub\/a\/[^/]+$/);
  }

  test('a gateway pipeline with a Signals Gateway pixel and a custom HTTP destination', async () => {
    const { page } = ui;
    await logIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pipelines' }).click();
    await page.getByRole('heading', { name: 'Pipelines', exact: true }).waitFor();
    // The pixel connection is a Meta CAPI pipeline, in its own tab; only its name may change.
    await page.getByRole('tab', { name: 'Meta CAPI pipelines' }).click();
    const metaCard = page.locator('.card', { hasText: pixelId });
    await metaCard.first().waitFor();
    await page.getByRole('button', { name: /^Actions for pipeline / }).click();
    assert.deepEqual(await page.getByRole('menuitem').allTextContents(), ['Rename']);
    await page.keyboard.press('Escape');
    await ui.shot('meta-pipelines');

    await page.getByRole('tab', { name: 'Signals Gateway pipelines' }).click();
    await page.getByText('No Signals Gateway pipeline yet').waitFor();
    await page.getByRole('button', { name: 'Create pipeline' }).click();
    const create = page.getByRole('dialog', { name: 'Create pipeline' });
    await create.getByLabel('Pipeline name').fill('Web to warehouse');
    await create.getByRole('button', { name: 'Create pipeline' }).click();
    await page.getByRole('heading', { name: 'Web to warehouse' }).waitFor();

    // A source: the Signals Gateway pixel, whose setup opens with its code and key.
    await page.getByRole('button', { name: 'Actions for pipeline Web to warehouse' }).click();
    await page.getByRole('menuitem', { name: 'Add source' }).click();
    const addSource = page.getByRole('dialog', { name: 'Add source' });
    await addSource.getByRole('radio', { name: /Signals Gateway pixel/ }).check();
    await addSource.getByLabel('Source name').fill('Shop tag');
    await addSource.getByRole('button', { name: 'Add source' }).click();
    const setup = page.getByRole('dialog', { name: 'Signals Gateway pixel' });
    const code = setup.getByRole('region', { name: 'Code for your pages' }).locator('pre');
    await code.waitFor();
    const sourceId = /\b(\d{19})\b/.exec((await setup.textContent()) ?? '')?.[1] ?? '';
    assert.match(sourceId, /^[1-9]\d{18}$/, 'a 19-digit source id');
    assert.match((await code.textContent()) ?? '', new RegExp(sourceId), 'the header code names the source');
    const accessKey = await setup.getByLabel('Access key').inputValue();
    assert.match(accessKey, /\S{16,}/);
    const cookie = setup.getByRole('switch', { name: 'First-party cookie' });
    const was = await cookie.isChecked();
    await cookie.click();
    await waitFor(async () => (await cookie.isChecked()) !== was, 'first-party cookie switched');
    await ui.shot('gateway-pixel');
    await setup.getByRole('button', { name: 'Close' }).click();

    // A filter on the pipeline.
    await page.getByRole('button', { name: 'Actions for pipeline Web to warehouse' }).click();
    await page.getByRole('menuitem', { name: 'Edit pipeline filter' }).click();
    const filter = page.getByRole('dialog', { name: 'Pipeline filter' });
    await filter.getByLabel('Blocked event types').fill('PageView, ViewContent');
    await filter.getByRole('button', { name: 'Save filter' }).click();
    await page.getByText('Pipeline filter: blocks PageView, ViewContent').waitFor();

    // A Meta dataset as a second destination: the token is checked with Meta before it is kept.
    await page.getByRole('button', { name: 'Actions for pipeline Web to warehouse' }).click();
    await page.getByRole('menuitem', { name: 'Add destination' }).click();
    const addMeta = page.getByRole('dialog', { name: 'Add destination' });
    await addMeta.getByRole('radio', { name: /Meta Conversions API/ }).check();
    await addMeta.getByLabel('Dataset ID').fill('1122334455667788');
    await addMeta.getByLabel('Access token', { exact: true }).fill('EAAdatasettoken99');
    await addMeta.getByLabel('Business ID').fill('987654321012');
    await addMeta.getByRole('button', { name: 'Add destination' }).click();
    const meta = page.getByRole('listitem', { name: 'Destination Meta Dataset (1122334455667788)' });
    await meta.getByText('Dataset 1122334455667788').waitFor();

    // A custom HTTP destination: adding it opens its editor.
    await page.getByRole('button', { name: 'Actions for pipeline Web to warehouse' }).click();
    await page.getByRole('menuitem', { name: 'Add destination' }).click();
    const addDest = page.getByRole('dialog', { name: 'Add destination' });
    await addDest.getByRole('radio', { name: /Custom HTTP/ }).check();
    await addDest.getByLabel('Destination name').fill('Warehouse');
    await addDest.getByRole('button', { name: 'Add destination' }).click();
    await page.waitForURL(/\/pipelines\/destinations\/sg_v1_dd_/);
    destinationUrl = page.url();
    destinationId = decodeURIComponent(destinationUrl.split('/').pop() ?? '');
    await page.getByRole('heading', { name: 'Warehouse', exact: true }).waitFor();

    // Every problem is listed at once.
    await page.getByLabel('Endpoint').fill('ftp://warehouse.example/hook');
    await page.getByLabel('Timeout (ms)').fill('5');
    await page.getByLabel('Auth type').selectOption('API_KEY');
    await page.getByLabel('API key name').fill('X-Api-Key');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const problems = page.getByRole('alert').filter({ hasText: 'The settings were not saved' });
    await problems.waitFor();
    const listed = await problems.getByRole('listitem').allTextContents();
    assert.ok(
      listed.some((p) => /endpoint/.test(p)),
      listed.join(' | '),
    );
    assert.ok(
      listed.some((p) => /timeoutMs/.test(p)),
      listed.join(' | '),
    );
    assert.ok(
      listed.some((p) => /key value/.test(p)),
      listed.join(' | '),
    );
    await ui.shot('http-errors');

    await page.getByLabel('Endpoint').fill(`${receiver.url}/hook`);
    await page.getByLabel('Timeout (ms)').fill('3000');
    await page.getByLabel('API key value').fill('secret-key-123');
    await page.getByLabel('Template library').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Load template' }).click();
    assert.notEqual(await page.getByLabel('Template', { exact: true }).inputValue(), '');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved. New events of its pipelines are sent with these settings.').waitFor();

    // The library keeps a template under a name, and deletes it again.
    await page.getByRole('button', { name: 'Save as template…' }).click();
    const saveTemplate = page.getByRole('dialog', { name: 'Save template' });
    await saveTemplate.getByLabel('Template name').fill('Warehouse v1');
    await saveTemplate.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('The template Warehouse v1 is saved in the library.').waitFor();
    const library = page.getByLabel('Template library');
    await waitFor(async () => (await library.locator('option', { hasText: 'Warehouse v1' }).count()) === 1, 'saved');
    await library.selectOption({ label: 'Warehouse v1' });
    await page.getByRole('button', { name: 'Delete template' }).click();
    await page.getByRole('dialog', { name: 'Delete template' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('The template Warehouse v1 was deleted from the library.').waitFor();

    // The secret is write-only: after a reload the field is blank and says it is saved.
    await page.reload();
    await page.getByLabel('API key value').waitFor();
    assert.equal(await page.getByLabel('API key value').inputValue(), '');
    await page.getByText('Saved. Leave blank to keep the saved value.').waitFor();
    assert.equal(await page.getByLabel('Endpoint').inputValue(), `${receiver.url}/hook`);

    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.getByRole('region', { name: 'Test event result' });
    await result.waitFor({ timeout: 20_000 });
    const sent = result.getByRole('region', { name: 'Request sent' });
    const answer = result.getByRole('region', { name: "Destination's answer" });
    await sent.getByText(`POST ${receiver.url}/hook`).waitFor();
    assert.match((await sent.textContent()) ?? '', /x-api-key/i, 'the auth header is shown');
    assert.doesNotMatch((await sent.textContent()) ?? '', /secret-key-123/, 'its value is masked');
    await answer.getByText('HTTP 200').waitFor();
    assert.match((await answer.textContent()) ?? '', /x-receiver: warehouse/);
    assert.match((await answer.textContent()) ?? '', /"accepted": 1/);
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0]?.headers['x-api-key'], 'secret-key-123', 'the real key reached the server');
    const shownBody = (await sent.locator('pre').last().textContent()) ?? '';
    const squeeze = (text: string) => text.replace(/\s/g, '');
    assert.equal(squeeze(shownBody), squeeze(receiver.received[0]?.body ?? ''), 'the body shown is the body sent');
    await ui.shot('http-test-event');
    ui.assertClean('custom HTTP editor');

    // A real event of the pixel reaches the destination and is counted under it.
    const event = serverEvent();
    const res = await gw.postServer(sourceId, { data: [event] }, accessKey);
    assert.equal(res.status, 200, await res.text());
    await waitFor(
      () => receiver.received.some((r) => r.body.includes(String(event.event_id))),
      'event delivered',
      20_000,
    );
    await page.getByRole('link', { name: 'Back to pipelines' }).click();
    const warehouse = page.getByRole('listitem', { name: 'Destination Warehouse' });
    await warehouse.waitFor();
    await waitFor(
      async () =>
        ((await warehouse.locator('.dest-stats div', { hasText: 'Published' }).textContent()) ?? '').endsWith('1'),
      'Published 1 on the destination',
      20_000,
    );
    await ui.shot('gateway-pipelines');

    await warehouse.getByRole('link', { name: 'Live events of Warehouse' }).click();
    await page.getByRole('heading', { name: 'Live events' }).waitFor();
    assert.equal(await page.getByLabel('Pixel or destination').inputValue(), destinationId);
    await page.getByRole('button', { name: 'Purchase' }).first().click({ timeout: 20_000 });
    const details = page.getByRole('dialog', { name: 'Event details' });
    await details.getByRole('heading', { name: 'Sent to the destination' }).waitFor();
    await details.getByRole('button', { name: 'Close' }).click();
    await ui.shot('destination-live-events');
    ui.assertClean('pipelines');
  });

  test('a CSV of 100,000 rows uploads through the upload screen; its report matches what reached Meta', async () => {
    const { page } = ui;
    // 100,000 rows: 99,980 good ones, 10 repeating an earlier ORDER_ID, 10 without DATA_SET_ID.
    const file = join(dir, 'offline-sales.csv');
    const run = randomBytes(4).toString('hex');
    const t = csvTime(Math.floor(Date.now() / 1000) - 3600);
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(file);
      out.on('error', reject);
      out.write('DATA_SET_ID,EVENT_NAME,EVENT_TIME,ACTION_SOURCE,VALUE,CURRENCY,ORDER_ID,EMAIL,COUNTRY\n');
      let chunk = '';
      for (let i = 0; i < 100_000; i++) {
        const dataset = i >= 50_000 && i < 50_010 ? '' : pixelId;
        const order = i >= 99_990 ? `${run}-${i - 99_990}` : `${run}-${i}`;
        chunk += `${dataset},Purchase,${t},physical_store,${(i % 50) + 0.99},USD,${order},c${i}.${run}@example.com,US\n`;
        if (chunk.length > 64_000) {
          out.write(chunk);
          chunk = '';
        }
      }
      out.end(chunk, () => resolve());
    });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'File uploads' }).click();
    await page.getByRole('heading', { name: 'File uploads' }).waitFor();
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const progress = page.getByRole('progressbar', { name: 'Upload progress' });
    await progress.waitFor();
    await ui.shot('upload-progress');
    const report = page.getByRole('region', { name: 'Upload report' }).first();
    await report.waitFor({ timeout: 180_000 });
    const tile = (label: string) => report.locator('.tile', { hasText: label }).locator('.tile-value').textContent();
    assert.equal(await tile('Rows'), '100,000');
    assert.equal(await tile('Uploaded'), '99,980');
    assert.equal(await tile('Duplicates'), '10');
    assert.equal(await tile('Excluded'), '10');
    const reasons = report.getByRole('table', { name: 'Excluded rows per reason' });
    await reasons.getByRole('cell', { name: 'missing_data_set_id' }).waitFor();
    const rows = report.getByRole('table', { name: 'Excluded rows', exact: true });
    assert.equal(await rows.locator('tbody tr').count(), 10);
    // Row i (from 0) is line i + 2 of the file, after the header.
    assert.match((await rows.locator('tbody tr').first().textContent()) ?? '', /^50,002DATA_SET_ID is empty/);
    await ui.shot('upload-report');

    await waitFor(() => gw.fake.events(pixelId).length >= 99_980, '99,980 events at Meta', 180_000);
    await waitFor(async () => (await gw.gateway.queue.depth(pixelId)) === 0, 'queue drained', 60_000);
    const events = gw.fake.events(pixelId).map((e) => e.event as { event_id: string });
    const uploaded = events.filter((e) => e.event_id.startsWith(`${run}-`));
    assert.equal(uploaded.length, 99_980, 'the report counts what reached Meta');
    assert.equal(new Set(uploaded.map((e) => e.event_id)).size, 99_980, 'each row once');

    await page.getByRole('cell', { name: 'offline-sales.csv' }).waitFor();
    ui.assertClean('upload');
  });

  test('privacy settings: consent policy, consent required and LDU are saved', async () => {
    const { page } = ui;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Privacy' }).click();
    await page.getByRole('heading', { name: 'Privacy', exact: true }).waitFor();
    await page.getByRole('switch', { name: 'Event enrichment' }).click();
    await page.getByRole('radio', { name: /Limit/ }).check();
    await page.getByRole('switch', { name: 'Consent required' }).click();
    await page.getByRole('switch', { name: 'Limited Data Use' }).click();
    await page.getByLabel('Where LDU applies').selectOption('ca');
    await page.getByRole('button', { name: 'Save privacy settings' }).click();
    await page.getByText('Privacy settings saved.').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Privacy', exact: true }).waitFor();
    await waitFor(() => page.getByRole('switch', { name: 'Event enrichment' }).isChecked(), 'enrichment kept');
    assert.equal(await page.getByRole('radio', { name: /Limit/ }).isChecked(), true);
    assert.equal(await page.getByRole('switch', { name: 'Consent required' }).isChecked(), true);
    assert.equal(await page.getByLabel('Where LDU applies').inputValue(), 'ca');
    await ui.shot('privacy');
    ui.assertClean('privacy');
  });

  test('a view-only user sees the pipelines, the destination and the uploads, and can change nothing', async () => {
    const viewer = await createPerson(gw, { roles: [`advertiser-view-${tenantId}`] });
    const watched = await openPage(browser, { label: 'pipelines-viewer' });
    try {
      const v = watched.page;
      await v.goto(`${gw.url}/hub/login`);
      await v.getByLabel('Email').fill(viewer.email);
      await v.getByLabel('Password', { exact: true }).fill(viewer.password);
      await v.getByRole('button', { name: 'Log in' }).click();
      await v.waitForURL(/\/hub\/a\/[^/]+$/);
      await v.goto(`${accountUrl}/pipelines`);
      await v.getByRole('heading', { name: 'Web to warehouse' }).waitFor();
      assert.equal(await v.getByRole('button', { name: 'Create pipeline' }).count(), 0);
      assert.equal(await v.getByRole('button', { name: /^Actions for/ }).count(), 0, 'no menus');
      await v
        .getByRole('listitem', { name: 'Destination Warehouse' })
        .getByRole('link', { name: 'Configure Warehouse' })
        .click();
      await v.getByRole('heading', { name: 'Warehouse', exact: true }).waitFor();
      assert.equal(await v.getByLabel('Endpoint').isDisabled(), true);
      assert.equal(await v.getByRole('button', { name: 'Save', exact: true }).count(), 0);
      assert.equal(await v.getByRole('button', { name: /Send test event/ }).count(), 0);
      await v.goto(`${accountUrl}/uploads`);
      await v.getByRole('cell', { name: 'offline-sales.csv' }).waitFor();
      assert.equal(await v.getByLabel('CSV file').count(), 0, 'no upload form');
      await v.goto(`${accountUrl}/privacy`);
      await v.getByRole('heading', { name: 'Privacy', exact: true }).waitFor();
      assert.equal(await v.getByRole('switch', { name: 'Event enrichment' }).isDisabled(), true);
      assert.equal(await v.getByRole('button', { name: 'Save privacy settings' }).count(), 0);
      await watched.shot('privacy');
      watched.assertClean('view-only user');
    } finally {
      await watched.close();
    }
  });

  test('at 390 px the new screens fit the width', async () => {
    const phone = await openPage(browser, { label: 'pipelines-phone', width: 390, height: 844 });
    try {
      const p = phone.page;
      await logIn(p);
      const lane = encodeURIComponent(destinationId);
      for (const [path, name] of <Array<[string, string]>>[
        ['/pipelines', 'pipelines'],
        ['/pipelines?tab=meta', 'meta-pipelines'],
        [`/pipelines/destinations/${lane}`, 'http-destination'],
        ['/uploads', 'uploads'],
        ['/privacy', 'privacy'],
        [`/live?lane=${lane}`, 'destination-live-events'],
        [`/dead-letters?lane=${lane}`, 'destination-dead-letters'],
      ]) {
        await p.goto(`${accountUrl}${path}`);
        await p.getByRole('heading', { level: 1 }).waitFor();
        await p.waitForLoadState('networkidle');
        const width = await p.evaluate(() => document.documentElement.scrollWidth);
        const wide = await p.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > 391)
            .slice(0, 5)
            .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`),
        );
        assert.ok(width <= 390, `${path} is ${width} px wide at 390 px: ${wide.join(', ')}`);
        await phone.shot(name);
      }
      phone.assertClean('phone');
    } finally {
      await phone.close();
    }
  });
});
