import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type CapigTest, type ConnectedPixel, startCapigTest } from '../control-plane/capig-api.js';
import { browserEvent, serverEvent } from '../harness.js';

// The account's privacy settings, end to end over HTTP: the enrichment cookie, the consent policy
// and data processing options, as Meta receives the events.

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
type SentEvent = { event_id: string; user_data: Record<string, unknown>; data_processing_options?: string[] } & Record<
  string,
  unknown
>;

describe('privacy settings', () => {
  let t: CapigTest;
  let px: ConnectedPixel;

  const settings = async (input: Record<string, unknown>) => {
    const answer = await t.gql(
      `mutation($t: ID!, $i: PrivacySettingsInput!) { tenantMutations(tenantId: $t) { updatePrivacySettings(input: $i) {
         eventEnrichment consentPolicy consentRequired dataProcessingOptions dataProcessingOptionsCountry dataProcessingOptionsState } } }`,
      { t: px.tenantId, i: input },
    );
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    return answer.body.data.tenantMutations.updatePrivacySettings;
  };
  const sentToMeta = async (eventId: string): Promise<SentEvent> => {
    for (let i = 0; i < 200; i++) {
      const found = t.gw.fake.events(px.pixelId).find((e) => (e.event as SentEvent).event_id === eventId);
      if (found) return found.event as SentEvent;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`event ${eventId} never reached Meta`);
  };

  before(async () => {
    t = await startCapigTest();
    px = await t.connectPixel(await t.newAccount());
  });
  after(() => t?.stop());

  test('enrichment off (the default): no cookie is set', async () => {
    const res = await t.gw.postBrowser(browserEvent(px.pixelId, { 'fb.advanced_matching': { em: 'ann@example.com' } }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('set-cookie'), null);
  });

  test('enrichment on: matching remembered in a signed cookie is added to a later event of the same browser', async () => {
    const saved = await settings({ eventEnrichment: true });
    assert.equal(saved.eventEnrichment, true);
    const first = await t.gw.postBrowser(
      browserEvent(px.pixelId, { 'fb.advanced_matching': { em: 'Ann@Example.com', ph: '+1 (555) 010-0199' } }),
    );
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^_capig_am=[^;]+; Max-Age=7776000; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.equal(cookie.includes('ann@example.com'), false, 'only hashes are kept');
    const later = browserEvent(px.pixelId);
    const res = await t.gw.postBrowser(later, { cookie: cookie.split(';')[0] as string });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).remember, undefined, 'the body never carries the cookie data');
    const sent = await sentToMeta(later.event_id as string);
    assert.equal(sent.user_data.em, sha('ann@example.com'));
    assert.equal(sent.user_data.ph, sha('15550100199'));
    // A forged cookie adds nothing.
    const forged = browserEvent(px.pixelId);
    await t.gw.postBrowser(forged, {
      cookie: `_capig_am=${Buffer.from('{"am":{"em":"x"}}').toString('base64url')}.AAAA`,
    });
    assert.equal((await sentToMeta(forged.event_id as string)).user_data.em, undefined);
  });

  test('consent DROP: a denied event is dropped and counted; a granted one goes', async () => {
    await settings({ consentPolicy: 'DROP' });
    const denied = serverEvent({ consent: 'denied' });
    const granted = serverEvent({ consent: 'granted' });
    const res = await t.gw.postServer(px.pixelId, { data: [denied, granted] }, px.accessKey);
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { events_received: number; messages: string[] };
    assert.deepEqual([answer.events_received, answer.messages], [2, ['1 event(s) not published: consent_denied']]);
    const sent = await sentToMeta(granted.event_id as string);
    assert.equal('consent' in sent, false, 'the consent field is not sent to Meta');
    assert.equal(
      t.gw.fake.events(px.pixelId).some((e) => (e.event as SentEvent).event_id === denied.event_id),
      false,
    );
  });

  test('consent LIMIT: a denied browser event reaches Meta without customer information, with LDU', async () => {
    await settings({ consentPolicy: 'LIMIT', eventEnrichment: false });
    const ev = browserEvent(px.pixelId, { consent: 'denied', 'fb.advanced_matching': { em: 'bo@example.com' } });
    const res = await t.gw.postBrowser(ev, { 'x-forwarded-for': '203.0.113.7' });
    assert.equal(res.status, 200);
    const sent = await sentToMeta(ev.event_id as string);
    assert.deepEqual(Object.keys(sent.user_data).sort(), ['client_ip_address', 'client_user_agent']);
    assert.deepEqual(sent.data_processing_options, ['LDU']);
  });

  test("the account's data processing options go on events that carry none", async () => {
    await settings({
      consentPolicy: 'IGNORE',
      dataProcessingOptions: ['LDU'],
      dataProcessingOptionsCountry: 1,
      dataProcessingOptionsState: 1000,
    });
    const plain = serverEvent();
    const own = serverEvent({ data_processing_options: [] });
    await t.gw.postServer(px.pixelId, { data: [plain, own] }, px.accessKey);
    const a = await sentToMeta(plain.event_id as string);
    assert.deepEqual(
      [a.data_processing_options, a.data_processing_options_country, a.data_processing_options_state],
      [['LDU'], 1, 1000],
    );
    assert.deepEqual((await sentToMeta(own.event_id as string)).data_processing_options, []);
  });
});
