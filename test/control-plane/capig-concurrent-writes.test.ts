import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverEvent } from '../harness.js';
import { type CapigTest, startCapigTest } from './capig-api.js';

// A fresh gateway has prepared none of its statements. Control-plane writes that arrive together,
// while events are being committed, each use statements for the first time at the same moment:
// every one of them must succeed (the embedded database once gave two of them one statement name
// and answered 500).
describe('capig: concurrent first writes on a fresh gateway', () => {
  let t: CapigTest;
  before(async () => {
    t = await startCapigTest();
  });
  after(() => t.stop());

  const signal = (field: string) =>
    `mutation ($tenantId: ID!, $id: ID!) { tenantMutations(tenantId: $tenantId) { signalMutations { ${field} } } }`;
  const tenant = (field: string) => `mutation ($tenantId: ID!) { tenantMutations(tenantId: $tenantId) { ${field} } }`;
  const query = (field: string) => `query ($tenantId: ID!) { tenantQueries(tenantId: $tenantId) { ${field} } }`;

  test('every write and read answers without an error while events flow', async () => {
    const tenantId = await t.newAccount();
    const pixel = await t.connectPixel(tenantId);
    const vars = { tenantId, id: pixel.pixelId };
    const operations = [
      signal('updateSignalConfigCapiPublish(id: $id, input: {status: 0}) { success }'),
      signal('updateSignalConfigEventsStatus(id: $id, input: {status: 1}) { success }'),
      signal('updateSignalConfigAccessToken(id: $id, accessToken: "EAAconcurrent1") { id }'),
      tenant('updateEventFilter(input: {eventName: "Lead", filterState: DROP}) { updatedFilter { id } }'),
      tenant('updateDomainFilter(input: {domain: "blocked.example", filterState: DROP}) { updatedFilter { id } }'),
      query('eventFilters { eventName filterState }'),
      query('domainFilters { domain filterState }'),
      query('eventMetrics { incoming { eventsCount } }'),
      query('account { name signalConfigs { connectionStatus { pixelID } } }'),
    ];
    const events = Array.from({ length: 20 }, () =>
      t.gw.postServer(pixel.pixelId, { data: [serverEvent()] }, pixel.accessKey).then((r) => r.status),
    );
    const answers = await Promise.all(operations.map((doc) => t.gql(doc, doc.includes('$id') ? vars : { tenantId })));
    for (const [i, a] of answers.entries()) {
      assert.equal(a.status, 200, `operation ${i}: ${JSON.stringify(a.body)}`);
      assert.equal(a.body.errors, undefined, `operation ${i}: ${JSON.stringify(a.body.errors)}`);
    }
    assert.deepEqual(await Promise.all(events), Array(20).fill(200));
  });
});
