import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CapigTest, startCapigTest } from './capig-api.js';
import { failure, ok } from './capig-pipelines-api.js';

// Extensions: the payload template library, the account's privacy settings, and file uploads.
describe('capig pipelines: payload templates, privacy settings, file uploads', () => {
  let t: CapigTest;
  let tenantId: string;
  before(async () => {
    t = await startCapigTest();
    tenantId = await t.newAccount();
  });
  after(() => t.stop());

  const TEMPLATES = `query($tenantId: ID!) { tenantQueries(tenantId: $tenantId) { payloadTemplates { id name body builtIn } } }`;
  const SAVE = `mutation($tenantId: ID!, $name: String!, $body: String!) { tenantMutations(tenantId: $tenantId) {
    dataDestinationMutations { savePayloadTemplate(name: $name, body: $body) { id name body builtIn } } } }`;
  const DELETE = `mutation($tenantId: ID!, $id: ID!) { tenantMutations(tenantId: $tenantId) {
    dataDestinationMutations { deletePayloadTemplate(id: $id) } } }`;

  test('payloadTemplates lists the built-in ones, then the saved ones; saving a name replaces it', async () => {
    const builtIn = ok(await t.gql(TEMPLATES, { tenantId })).tenantQueries.payloadTemplates;
    assert.ok(builtIn.length >= 1);
    assert.ok(builtIn.every((x: { builtIn: boolean }) => x.builtIn));

    const saved = ok(await t.gql(SAVE, { tenantId, name: 'CRM', body: '{"n": {{ events | size }}}' })).tenantMutations
      .dataDestinationMutations.savePayloadTemplate;
    assert.equal(saved.builtIn, false);
    const replaced = ok(await t.gql(SAVE, { tenantId, name: 'CRM', body: '{"count": {{ events | size }}}' }))
      .tenantMutations.dataDestinationMutations.savePayloadTemplate;
    assert.equal(replaced.id, saved.id);
    const list = ok(await t.gql(TEMPLATES, { tenantId })).tenantQueries.payloadTemplates;
    assert.deepEqual(list.at(-1), { ...saved, body: '{"count": {{ events | size }}}' });
    assert.equal(list.length, builtIn.length + 1);

    const broken = failure(await t.gql(SAVE, { tenantId, name: 'Broken', body: '{% if %}' }));
    assert.equal(broken.code, 400);
    const clash = failure(await t.gql(SAVE, { tenantId, name: builtIn[0].name, body: '{}' }));
    assert.match(clash.message, /built-in/);
    assert.equal(failure(await t.gql(DELETE, { tenantId, id: builtIn[0].id })).code, 400);

    // Another account does not see it and cannot delete it.
    const other = await t.newAccount();
    const theirs = ok(await t.gql(TEMPLATES, { tenantId: other })).tenantQueries.payloadTemplates;
    assert.ok(!theirs.some((x: { id: string }) => x.id === saved.id));
    assert.equal(failure(await t.gql(DELETE, { tenantId: other, id: saved.id })).code, 404);

    assert.equal(
      ok(await t.gql(DELETE, { tenantId, id: saved.id })).tenantMutations.dataDestinationMutations
        .deletePayloadTemplate,
      saved.id,
    );
  });

  const PRIVACY_FIELDS =
    'eventEnrichment consentPolicy consentRequired dataProcessingOptions dataProcessingOptionsCountry dataProcessingOptionsState';
  const READ = `query($tenantId: ID!) { tenantQueries(tenantId: $tenantId) { privacySettings { ${PRIVACY_FIELDS} } } }`;
  const UPDATE = `mutation($tenantId: ID!, $input: PrivacySettingsInput!) { tenantMutations(tenantId: $tenantId) {
    updatePrivacySettings(input: $input) { ${PRIVACY_FIELDS} } } }`;

  test('privacySettings: off by default; fields left out keep their value; LDU with Meta’s codes', async () => {
    const account = await t.newAccount();
    assert.deepEqual(ok(await t.gql(READ, { tenantId: account })).tenantQueries.privacySettings, {
      eventEnrichment: false,
      consentPolicy: 'DROP',
      consentRequired: false,
      dataProcessingOptions: null,
      dataProcessingOptionsCountry: null,
      dataProcessingOptionsState: null,
    });
    const set = ok(
      await t.gql(UPDATE, {
        tenantId: account,
        input: {
          consentPolicy: 'LIMIT',
          dataProcessingOptions: ['LDU'],
          dataProcessingOptionsCountry: 1,
          dataProcessingOptionsState: 1000,
        },
      }),
    ).tenantMutations.updatePrivacySettings;
    assert.deepEqual(set, {
      eventEnrichment: false,
      consentPolicy: 'LIMIT',
      consentRequired: false,
      dataProcessingOptions: ['LDU'],
      dataProcessingOptionsCountry: 1,
      dataProcessingOptionsState: 1000,
    });
    const more = ok(await t.gql(UPDATE, { tenantId: account, input: { eventEnrichment: true, consentRequired: true } }))
      .tenantMutations.updatePrivacySettings;
    assert.equal(more.consentPolicy, 'LIMIT');
    assert.deepEqual(more.dataProcessingOptions, ['LDU']);
    // Meta: with LDU and no country/state, 0 and 0 (Meta geolocates).
    const geo = ok(
      await t.gql(UPDATE, {
        tenantId: account,
        input: { dataProcessingOptions: [], dataProcessingOptionsCountry: 1 },
      }),
    ).tenantMutations.updatePrivacySettings;
    assert.equal(geo.dataProcessingOptions, null, '[] clears the options and their country and state');
    assert.equal(geo.dataProcessingOptionsCountry, null);
    const ldu = ok(await t.gql(UPDATE, { tenantId: account, input: { dataProcessingOptions: ['LDU'] } }))
      .tenantMutations.updatePrivacySettings;
    assert.deepEqual([ldu.dataProcessingOptionsCountry, ldu.dataProcessingOptionsState], [0, 0]);

    for (const [input, pattern] of [
      [{ dataProcessingOptions: ['GDPR'] }, /LDU/],
      [{ dataProcessingOptions: ['LDU'], dataProcessingOptionsCountry: 2 }, /0 .* or 1/],
      [{ dataProcessingOptions: ['LDU'], dataProcessingOptionsState: 5 }, /1000/],
    ] as const) {
      const bad = failure(await t.gql(UPDATE, { tenantId: account, input }));
      assert.equal(bad.code, 400);
      assert.match(bad.message, pattern);
    }
    const [row] = await t.gw.gateway.db.query<{ event_enrichment: boolean; consent_policy: string }>(
      'SELECT event_enrichment, consent_policy FROM tenants WHERE id = $1',
      [account],
    );
    assert.deepEqual(row, { event_enrichment: true, consent_policy: 'LIMIT' });
  });

  test('fileUploads lists the account’s uploads with their reports, newest first', async () => {
    const account = await t.newAccount();
    await t.gw.gateway.db.query(
      `INSERT INTO file_uploads (id, tenant_id, file_name, status, rows, uploaded, duplicates, excluded,
                                 excluded_reasons, excluded_rows, started_at, finished_at)
       VALUES ('up_old', $1, 'march.csv', 'DONE', 3, 2, 0, 1, '{"missing_data_set_id":1}',
               '[{"row":3,"reason":"missing_data_set_id","detail":"DATA_SET_ID is empty"}]', now() - interval '1 hour', now()),
              ('up_new', $1, 'april.csv', 'RUNNING', 10, 10, 0, 0, '{}', '[]', now(), NULL)`,
      [account],
    );
    const QUERY = `query($tenantId: ID!, $limit: Int) { tenantQueries(tenantId: $tenantId) { fileUploads(limit: $limit) {
      id fileName status rows uploaded duplicates excluded excludedReasons { reason count }
      excludedRows { row reason detail } error startedAt finishedAt } } }`;
    const list = ok(await t.gql(QUERY, { tenantId: account })).tenantQueries.fileUploads;
    assert.deepEqual(
      list.map((u: { id: string }) => u.id),
      ['up_new', 'up_old'],
    );
    assert.equal(list[0].finishedAt, null);
    assert.deepEqual(list[1].excludedReasons, [{ reason: 'missing_data_set_id', count: 1 }]);
    assert.deepEqual(list[1].excludedRows, [{ row: 3, reason: 'missing_data_set_id', detail: 'DATA_SET_ID is empty' }]);
    assert.ok(!Number.isNaN(Date.parse(list[1].startedAt)));
    assert.equal(ok(await t.gql(QUERY, { tenantId: account, limit: 1 })).tenantQueries.fileUploads.length, 1);
    assert.equal(ok(await t.gql(QUERY, { tenantId })).tenantQueries.fileUploads.length, 0, 'another account’s');
    assert.equal(failure(await t.gql(QUERY, { tenantId: account, limit: 0 })).code, 400);
  });
});
