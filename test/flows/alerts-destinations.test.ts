import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type CapigTest, startCapigTest } from '../control-plane/capig-api.js';
import { newGatewayPipeline, newHttpDestination } from '../control-plane/capig-pipelines-api.js';
import { signInAs } from '../control-plane/people.js';
import { serverEvent, waitFor } from '../harness.js';
import { json, type Receiver, startReceiver } from '../http-receiver.js';
import { startSmtp } from '../smtp.js';

// Alerts for a Signals Gateway destination, end to end: a gateway pipeline sends to a custom HTTP
// destination (a real local server) that answers 503. Its lane stalls, so its account gets one
// signed webhook and one email naming the destination, sees the incident through /capig/graphql/
// (another account does not), and gets one recovery once the server answers 200 again.

const ALERT_SETTINGS = `mutation ($t: ID!, $input: AlertSettingsInput!) { tenantMutations(tenantId: $t) {
  updateAlertSettings(input: $input) { webhookUrl webhookSigningKey } } }`;
const INCIDENTS = `query ($t: ID!) { tenantQueries(tenantId: $t) {
  alertIncidents { id pixelId destinationId destinationName destinationType kind detail openedAt resolvedAt } } }`;
const TEMPLATE = '{"events":[{% for event in events %}{"id":{{ event.event_id | json }}}{% endfor %}]}';

interface Hook {
  pixel_id: string;
  destination_id: string | null;
  destination_name: string | null;
  destination_type: string | null;
  account_id: string;
  kind: string;
  state: string;
  detail: string;
}

describe('alerts for a custom HTTP destination', () => {
  let t: CapigTest;
  let endpoint: Receiver;
  let hooks: Receiver;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let status = 503;
  let tenantId: string;
  let sourceId: string;
  let accessKey: string;
  let lane: string;
  let signingKey: string;
  const stalled = () =>
    hooks.received.map((r) => JSON.parse(r.body) as Hook).filter((h) => h.kind === 'stalled' && h.pixel_id === lane);

  before(async () => {
    endpoint = await startReceiver((_req, res) => json(res, status, status === 200 ? { ok: true } : { error: 'down' }));
    hooks = await startReceiver((_req, res) => {
      res.writeHead(204).end();
    });
    smtp = await startSmtp();
    t = await startCapigTest({
      env: {
        CAPIG_DESTINATION_ALLOW: 'public,127.0.0.1/32',
        CAPIG_ALERT_INTERVAL_MS: '1000',
        CAPIG_ALERT_WEBHOOK_PRIVATE: 'on',
        CAPIG_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        CAPIG_PUBLIC_URL: 'https://gateway.agency.example',
      },
    });
    tenantId = await t.newAccount();
    let pipelineId: string;
    ({ pipelineId, sourceId, accessKey } = await newGatewayPipeline(t, tenantId, 'Site to warehouse'));
    ({ lane } = await newHttpDestination(t, tenantId, pipelineId, 'Warehouse', {
      endpoint: `${endpoint.url}/in`,
      payloadSchema: TEMPLATE,
    }));
    const saved = await t.gql(ALERT_SETTINGS, {
      t: tenantId,
      input: { webhookUrl: `${hooks.url}/alerts`, emails: ['ops@example.com'], stallMinutes: 1 },
    });
    assert.equal(saved.body.errors, undefined, JSON.stringify(saved.body.errors));
    signingKey = saved.body.data.tenantMutations.updateAlertSettings.webhookSigningKey;
  });

  after(async () => {
    await t?.stop();
    await endpoint?.close();
    await hooks?.close();
    await smtp?.close();
  });

  test('a destination answering 503 fires one stall alert naming it, and recovers once it answers 200', async () => {
    const event = serverEvent();
    const sent = await t.gw.postServer(sourceId, { data: [event] }, accessKey);
    assert.equal(sent.status, 200, await sent.clone().text());
    await waitFor(() => endpoint.received.length > 0, 'the destination was tried', 20_000);
    // As if the event had waited two minutes (stallMinutes is 1).
    await t.gw.gateway.db.query(
      `UPDATE event_queue SET enqueued_at = now() - interval '2 minutes' WHERE pixel_id = $1`,
      [lane],
    );
    await waitFor(() => stalled().length >= 1, 'the stall alert', 20_000);

    const hook = stalled()[0] as Hook;
    const { pixel_id, destination_id, destination_name, destination_type, account_id, state } = hook;
    assert.deepEqual(
      { pixel_id, destination_id, destination_name, destination_type, account_id, state },
      {
        pixel_id: lane,
        destination_id: lane,
        destination_name: 'Warehouse',
        destination_type: 'CUSTOM_HTTP_API',
        account_id: tenantId,
        state: 'firing',
      },
    );
    assert.match(hook.detail, /none published for 1 minutes/);
    const raw = hooks.received.find((r) => JSON.parse(r.body).pixel_id === lane);
    const signature = createHmac('sha256', signingKey)
      .update(`${raw?.headers['x-capig-timestamp']}.${raw?.body}`)
      .digest('hex');
    assert.equal(raw?.headers['x-capig-signature'], `sha256=${signature}`);
    await waitFor(() => smtp.inbox.length >= 1, 'the alert email', 10_000);
    const mail = readMail(smtp.inbox[0]?.body ?? '');
    assert.equal(mail.subject, '[capig] ALERT: destination "Warehouse" (custom HTTP), stalled');
    assert.match(mail.text, new RegExp(`Account ${tenantId}, destination "Warehouse" \\(custom HTTP, ${lane}\\)`));
    assert.doesNotMatch(mail.text, /pixel/);

    // The account sees it (pixelId is the lane); another account neither sees it nor may ask.
    const mine = await t.gql(INCIDENTS, { t: tenantId });
    assert.equal(mine.body.errors, undefined, JSON.stringify(mine.body.errors));
    const incident = mine.body.data.tenantQueries.alertIncidents.find(
      (i: { pixelId: string; kind: string }) => i.pixelId === lane && i.kind === 'stalled',
    );
    assert.ok(incident, JSON.stringify(mine.body.data));
    assert.equal(incident.resolvedAt, null);
    assert.deepEqual(
      [incident.destinationId, incident.destinationName, incident.destinationType],
      [lane, 'Warehouse', 'CUSTOM_HTTP_API'],
    );
    const other = await t.newAccount();
    const theirs = await t.gql(INCIDENTS, { t: other });
    assert.deepEqual(theirs.body.data.tenantQueries.alertIncidents, []);
    const outsider = await signInAs(t.gw, { roles: [`advertiser-manage-${other}`] });
    const refused = await outsider.gql(INCIDENTS, { t: tenantId }, { path: 'capig' });
    assert.ok(refused.body.errors?.length, 'a manager of another account cannot read these incidents');
    assert.equal(refused.body.data?.tenantQueries?.alertIncidents, undefined);

    status = 200;
    await waitFor(() => stalled().some((h) => h.state === 'resolved'), 'the recovery webhook', 30_000);
    assert.equal(JSON.parse(endpoint.received.at(-1)?.body ?? '{}').events?.[0]?.id, event.event_id, 'delivered');
    // A few more rounds: nothing is sent twice.
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(
      stalled().map((h) => h.state),
      ['firing', 'resolved'],
    );
    const after = await t.gql(INCIDENTS, { t: tenantId });
    const closed = after.body.data.tenantQueries.alertIncidents.find((i: { id: string }) => i.id === incident.id);
    assert.ok(closed?.resolvedAt, 'the incident is closed');
  });
});

/** The subject and text of a message as nodemailer writes it (folded, Q-encoded, quoted-printable). */
function readMail(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const bytes = (s: string) =>
    Buffer.from(
      s.replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  const subject = (/^Subject: (.*)$/m.exec(head.replace(/\r\n[ \t]+/g, ' '))?.[1] ?? '')
    .replace(/\?= =\?/g, '?==?')
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_m, q: string) => bytes(q.replace(/_/g, ' ')));
  return { subject, text: bytes(rest.join('\r\n\r\n').replace(/=\r\n/g, '')) };
}
