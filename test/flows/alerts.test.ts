import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isPublicAddress } from '../../src/platform/public-address.js';
import { type Person, signInAs } from '../control-plane/people.js';
import { serverEvent, startTestGateway, type TestGateway, type TestPixel, waitFor } from '../harness.js';
import { startSmtp } from '../smtp.js';

// Alerts, end to end: an account's manager sets a webhook and an email address; a pixel whose
// token Meta rejects fires one alert (a signed webhook and an email through a real SMTP server)
// and one recovery when the token is replaced; a stalled queue fires once, not once per round.

const SETTINGS = `query ($tenantId: ID!) { tenantQueries(tenantId: $tenantId) { alertSettings {
  enabled emails webhookUrl webhookSigningKey stallMinutes deadLetterPercent queueAgeMinutes } } }`;
const UPDATE = `mutation ($tenantId: ID!, $input: AlertSettingsInput!) { tenantMutations(tenantId: $tenantId) {
  updateAlertSettings(input: $input) { enabled emails webhookUrl stallMinutes webhookSigningKey } } }`;
const INCIDENTS = `query ($tenantId: ID!) { tenantQueries(tenantId: $tenantId) {
  alertIncidents { id pixelId kind detail openedAt resolvedAt } } }`;
const REPLACE_TOKEN = `mutation ($tenantId: ID!, $id: ID!, $token: String!) { tenantMutations(tenantId: $tenantId) {
  signalMutations { updateSignalConfigAccessToken(id: $id, accessToken: $token) { id } } } }`;

interface Hook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** Records the webhooks it accepts; `failing` makes it answer 500 to that many first. */
async function startReceiver(): Promise<{ url: string; hooks: Hook[]; server: Server; failing: { next: number } }> {
  const hooks: Hook[] = [];
  const failing = { next: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      if (failing.next > 0) {
        failing.next--;
        res.writeHead(500).end();
        return;
      }
      hooks.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/capig-alerts`, hooks, server, failing };
}

describe('alerts', () => {
  let gw: TestGateway;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let px: TestPixel;
  let manager: Person;
  let viewer: Person;
  const hooksFor = (kind: string) => receiver.hooks.filter((h) => JSON.parse(h.body).kind === kind);

  before(async () => {
    receiver = await startReceiver();
    smtp = await startSmtp();
    gw = await startTestGateway({
      env: {
        CAPIG_ALERT_INTERVAL_MS: '1000',
        CAPIG_ALERT_WEBHOOK_PRIVATE: 'on',
        CAPIG_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        CAPIG_PUBLIC_URL: 'https://gateway.agency.example',
      },
    });
    px = await gw.addPixel();
    manager = await signInAs(gw, { roles: [`advertiser-manage-${px.tenantId}`] });
    viewer = await signInAs(gw, { roles: [`advertiser-view-${px.tenantId}`] });
  });
  after(async () => {
    await gw?.stop();
    await smtp?.close();
    await new Promise((r) => receiver?.server.close(r));
  });

  test('settings: defaults, manage level to read and change, every input problem at once', async () => {
    const defaults = await manager.gql(SETTINGS, { tenantId: px.tenantId }, { path: 'capig' });
    assert.equal(defaults.body.errors, undefined, JSON.stringify(defaults.body.errors));
    assert.deepEqual(
      { ...defaults.body.data.tenantQueries.alertSettings, webhookSigningKey: 'k' },
      {
        enabled: true,
        emails: [],
        webhookUrl: null,
        webhookSigningKey: 'k',
        stallMinutes: 30,
        deadLetterPercent: 10,
        queueAgeMinutes: 60,
      },
    );
    const denied = await viewer.gql(SETTINGS, { tenantId: px.tenantId }, { path: 'capig' });
    assert.ok(denied.body.errors?.length, 'a viewer does not see where alerts go');
    const bad = await manager.gql(
      UPDATE,
      { tenantId: px.tenantId, input: { webhookUrl: 'ftp://x.example', emails: ['nope'], stallMinutes: 0 } },
      { path: 'capig' },
    );
    const message = bad.body.errors?.[0]?.message ?? '';
    assert.match(message, /webhookUrl: must be http or https/);
    assert.match(message, /emails:/);
    assert.match(message, /stallMinutes must be 1 to 1440/);

    const saved = await manager.gql(
      UPDATE,
      { tenantId: px.tenantId, input: { webhookUrl: receiver.url, emails: ['Ops@Example.com'], stallMinutes: 1 } },
      { path: 'capig' },
    );
    assert.equal(saved.body.errors, undefined, JSON.stringify(saved.body.errors));
    assert.deepEqual(saved.body.data.tenantMutations.updateAlertSettings.emails, ['ops@example.com']);
  });

  test('a rejected token fires one signed webhook and one email, and recovers once when replaced', async () => {
    gw.fake.revokeToken(px.token);
    assert.equal((await gw.postServer(px.pixelId, { data: [serverEvent()] }, px.accessKey)).status, 200);
    await waitFor(() => hooksFor('token_rejected').length >= 1, 'the alert webhook', 20_000);
    await waitFor(() => smtp.inbox.length >= 1, 'the alert email', 10_000);

    const [hook] = hooksFor('token_rejected');
    assert.ok(hook);
    const body = JSON.parse(hook.body);
    assert.equal(body.state, 'firing');
    assert.equal(body.pixel_id, px.pixelId);
    assert.equal(body.account_id, px.tenantId);
    const key = (await manager.gql(SETTINGS, { tenantId: px.tenantId }, { path: 'capig' })).body.data.tenantQueries
      .alertSettings.webhookSigningKey;
    const expected = createHmac('sha256', key)
      .update(`${hook.headers['x-capig-timestamp']}.${hook.body}`)
      .digest('hex');
    assert.equal(hook.headers['x-capig-signature'], `sha256=${expected}`, 'the receiver can check the signature');
    assert.deepEqual(smtp.inbox[0]?.to, ['ops@example.com']);
    assert.match(smtp.inbox[0]?.body ?? '', /ALERT/);

    const replaced = await manager.gql(
      REPLACE_TOKEN,
      { tenantId: px.tenantId, id: px.pixelId, token: `token-new-${px.pixelId}` },
      { path: 'capig' },
    );
    assert.equal(replaced.body.errors, undefined, JSON.stringify(replaced.body.errors));
    await waitFor(
      () => hooksFor('token_rejected').some((h) => JSON.parse(h.body).state === 'resolved'),
      'the recovery webhook',
      20_000,
    );
    // A few more rounds: nothing is sent twice.
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(
      hooksFor('token_rejected').map((h) => JSON.parse(h.body).state),
      ['firing', 'resolved'],
    );
    const incidents = await viewer.gql(INCIDENTS, { tenantId: px.tenantId }, { path: 'capig' });
    const rejected = incidents.body.data.tenantQueries.alertIncidents.find(
      (i: { kind: string }) => i.kind === 'token_rejected',
    );
    assert.ok(rejected?.resolvedAt, 'the incident is closed, and viewers can read it');
  });

  test('events waiting with nothing published for stallMinutes fire once', async () => {
    // Another pixel of the account, which Meta answers 503 from the start.
    const stuck = await gw.addPixel({ tenantId: px.tenantId });
    gw.fake.addFault({ pixel_id: stuck.pixelId, kind: 'http_status', status: 503 });
    assert.equal((await gw.postServer(stuck.pixelId, { data: [serverEvent()] }, stuck.accessKey)).status, 200);
    // As if the event had waited two minutes (stallMinutes is 1).
    await gw.gateway.db.query(`UPDATE event_queue SET enqueued_at = now() - interval '2 minutes' WHERE pixel_id = $1`, [
      stuck.pixelId,
    ]);
    await waitFor(() => hooksFor('stalled').length >= 1, 'the stall alert', 20_000);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(hooksFor('stalled').length, 1, 'once per incident, not once per round');
    assert.match(JSON.parse(hooksFor('stalled')[0]?.body ?? '{}').detail, /none published for 1 minutes/);
    gw.fake.clearFaults();
  });

  test('a webhook that fails is retried alone: the email that went is not sent again', async () => {
    const stuck = await gw.addPixel({ tenantId: px.tenantId });
    gw.fake.addFault({ pixel_id: stuck.pixelId, kind: 'http_status', status: 503 });
    receiver.failing.next = 2;
    assert.equal((await gw.postServer(stuck.pixelId, { data: [serverEvent()] }, stuck.accessKey)).status, 200);
    await gw.gateway.db.query(`UPDATE event_queue SET enqueued_at = now() - interval '2 minutes' WHERE pixel_id = $1`, [
      stuck.pixelId,
    ]);
    const about = (text: string) => text.includes(stuck.pixelId);
    await waitFor(() => receiver.hooks.some((h) => about(h.body)), 'the webhook, after two failures', 20_000);
    assert.equal(receiver.failing.next, 0, 'the receiver refused twice first');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(smtp.inbox.filter((m) => about(m.body)).length, 1, 'one email, not one per webhook attempt');
    assert.equal(receiver.hooks.filter((h) => about(h.body)).length, 1);
    gw.fake.clearFaults();
  });

  test('webhooks reach public addresses only, unless CAPIG_ALERT_WEBHOOK_PRIVATE=on', async () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1']) {
      assert.equal(isPublicAddress(ip), false, ip);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) assert.equal(isPublicAddress(ip), true, ip);
    assert.equal(isPublicAddress('::ffff:127.0.0.1'), false, 'IPv4-mapped loopback');

    const strict = await startTestGateway({ fake: gw.fake });
    try {
      const p = await strict.addPixel();
      const m = await signInAs(strict, { roles: [`advertiser-manage-${p.tenantId}`] });
      const r = await m.gql(
        UPDATE,
        { tenantId: p.tenantId, input: { webhookUrl: 'http://127.0.0.1:9/hook' } },
        { path: 'capig' },
      );
      assert.match(r.body.errors?.[0]?.message ?? '', /not a public address/);
    } finally {
      await strict.stop();
    }
  });
});
