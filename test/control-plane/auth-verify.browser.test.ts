import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserTestsSkipped, launchChromium } from '../browser.js';
import { startTestGateway, type TestGateway } from '../harness.js';
import { createAccount, signInAs } from './people.js';

// The page invitation links open (GET /auth/verify/), in Chromium: the invited person sets a
// password and is signed in, with no UI beyond that page.
describe('auth: the link page in a browser', { skip: browserTestsSkipped() }, () => {
  let gw: TestGateway;
  let browser: Browser;
  before(async () => {
    gw = await startTestGateway();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
  });

  test('an invited person signs up through the form and gets a session', async () => {
    const t = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    const r = await admin.gql(
      'mutation ($i: AddUserWithRoleInput!) { userMutations { addUserWithRole(input: $i) { invitationLink } } }',
      { i: { email: 'browser@example.com', roleName: `advertiser-view-${t}` } },
    );
    const link = new URL(r.body.data.userMutations.addUserWithRole.invitationLink);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${gw.url}${link.pathname}${link.search}`);
    assert.equal(await page.inputValue('#email'), 'browser@example.com');
    await page.fill('#pw', 'a-long-password');
    await page.fill('#pw2', 'a-different-one');
    await page.click('#go');
    assert.match((await page.textContent('#msg')) ?? '', /differ/);
    await page.fill('#pw2', 'a-long-password');
    await page.click('#go');
    await page.waitForSelector('#msg.ok');
    const session = await page.evaluate(async () => (await fetch('/auth/session')).json());
    assert.equal(session.user.email, 'browser@example.com');
    assert.ok((await context.cookies()).some((c) => c.name === 'capig_session' && c.httpOnly));
    await context.close();
  });
});
