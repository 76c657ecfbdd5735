import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { addPixelTo, type ApiCaller, apiToken, createAccount, signInAs } from '../control-plane/people.js';
import { startTestGateway, type TestGateway } from '../harness.js';
import {
  csvRowsStream,
  csvTime,
  drainedTo,
  nowSec,
  postUpload,
  publishedEvents,
  type UploadReport,
} from '../uploads.js';

// Offline conversions as Meta's file upload (C.9): a CSV posted to /capig/uploads/, streamed row by
// row through the pipeline; the report says what was uploaded and why each other row was not, and
// what it says matches what reached the (fake) Graph API.

const DAY = 86_400;

describe('file upload: POST /capig/uploads/', () => {
  let gw: TestGateway;
  let api: ApiCaller;
  let tenantId: string;
  before(async () => {
    gw = await startTestGateway();
    api = await apiToken(gw);
    tenantId = await createAccount(gw);
  });
  after(() => gw.stop());

  const post = (
    query: Record<string, string>,
    body: string | ReadableStream<Uint8Array>,
    headers: Record<string, string> = { authorization: `Bearer ${api.token}` },
  ) => postUpload(gw.url, query, body, headers);
  const published = (pixelId: string) => publishedEvents(gw, pixelId);
  const drained = (pixelId: string, count: number, timeoutMs?: number) => drainedTo(gw, pixelId, count, timeoutMs);

  test('100,000 rows streamed: the report counts what reached Meta, row for row', async () => {
    const { pixelId } = await addPixelTo(gw, tenantId);
    const run = randomBytes(4).toString('hex');
    const n = 100_000;
    const res = await post({ tenantId, fileName: 'offline.csv' }, csvRowsStream(pixelId, n, run));
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    const report = res.body as UploadReport;
    assert.equal(report.status, 'DONE');
    assert.deepEqual(
      { rows: report.rows, uploaded: report.uploaded, duplicates: report.duplicates, excluded: report.excluded },
      { rows: n, uploaded: n, duplicates: 0, excluded: 0 },
    );
    await drained(pixelId, n, 120_000);
    const events = published(pixelId);
    assert.equal(events.length, report.uploaded);
    assert.equal(new Set(events.map((e) => e.event_id)).size, n, 'each row once');
    const first = events.find((e) => e.event_id === `${run}-0`);
    assert.equal(first?.action_source, 'physical_store');
    assert.deepEqual(first?.custom_data, {
      value: 0.5,
      currency: 'USD',
      content_ids: ['sku0', 'sku1'],
      order_id: `${run}-0`,
    });
    assert.match(first?.user_data.em, /^[0-9a-f]{64}$/, 'customer information is hashed before it leaves');

    const listed = await api.fetch(`/capig/uploads/?tenantId=${tenantId}`);
    const saved = ((await listed.json()) as { uploads: Array<UploadReport & { fileName: string }> }).uploads[0];
    assert.equal(saved?.id, report.id);
    assert.equal(saved?.fileName, 'offline.csv');
    assert.equal(saved?.status, 'DONE');
    assert.equal(saved?.uploaded, n);
  });

  test('a malformed file: each bad row is reported with its line and reason, and no valid row is lost', async () => {
    const { pixelId } = await addPixelTo(gw, tenantId);
    const other = await addPixelTo(gw, await createAccount(gw));
    const t = csvTime(nowSec() - 7200);
    const id = randomBytes(3).toString('hex');
    const lines = [
      'data_set_id , Event_Name,EVENT_TIME,VALUE,EMAIL,LEAD_ID,FAVOURITE_COLOUR,custom_data.store',
      `${pixelId},Purchase,${t},10,a${id}@example.com,,blue,Berlin`, // 2 ok
      `${pixelId},Purchase,${t},10`, // 3 wrong column count
      `${pixelId},Purchase,next tuesday,10,b${id}@example.com,,,`, // 4 bad time
      `,Purchase,${t},10,c${id}@example.com,,,`, // 5 no DATA_SET_ID
      `${pixelId},Purchase,${t},ten,d${id}@example.com,,,`, // 6 bad value
      `${pixelId},Lead,${t},,e${id}@example.com,,,`, // 7 Lead without LEAD_ID
      `${other.pixelId},Purchase,${t},10,f${id}@example.com,,,`, // 8 another account's pixel
      `${pixelId},Purchase,${t},10,,,,`, // 9 no customer information: the pipeline refuses it
      '', // 10 blank: not a row
      `${pixelId},Lead,"${t}",,"g${id}@example.com",lead-${id},,"Hamburg, Altona"`, // 11 ok
      `${pixelId},Purchase,${t},12.5,h${id}@example.com,,,`, // 12 ok
    ];
    const res = await post({ tenantId }, `${lines.join('\r\n')}\r\n`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const report = res.body as UploadReport;
    assert.equal(report.rows, 10);
    assert.equal(report.uploaded, 3);
    assert.equal(report.excluded, 7);
    assert.deepEqual(
      report.excludedRows.map((r) => [r.row, r.reason]),
      [
        [3, 'wrong_column_count'],
        [4, 'invalid_event_time'],
        [5, 'missing_data_set_id'],
        [6, 'invalid_value'],
        [7, 'missing_lead_id'],
        [8, 'data_set_not_in_account'],
        [9, 'invalid'],
      ],
    );
    assert.match(report.excludedRows[6]?.detail ?? '', /customer information/);
    assert.equal(report.excludedReasons.invalid_event_time, 1);
    assert.match(report.warnings.join('\n'), /unknown columns are ignored: FAVOURITE_COLOUR/);
    const listed = await api.fetch(`/capig/uploads/?tenantId=${tenantId}&id=${report.id}`);
    const kept = ((await listed.json()) as { uploads: UploadReport[] }).uploads[0];
    assert.deepEqual(kept?.warnings, report.warnings, 'the warnings are kept with the report');

    await drained(pixelId, 3);
    const events = published(pixelId);
    assert.equal(events.length, 3);
    assert.deepEqual(events.map((e) => e.event_name).sort(), ['Lead', 'Purchase', 'Purchase']);
    const lead = events.find((e) => e.event_name === 'Lead');
    assert.equal(lead?.user_data.lead_id, `lead-${id}`);
    assert.equal(lead?.custom_data.store, 'Hamburg, Altona');
    assert.equal(gw.fake.events(other.pixelId).length, 0, "a row never reaches another account's pixel");
  });

  test('uploading the same file again uploads nothing and reports the rows as duplicates', async () => {
    const { pixelId } = await addPixelTo(gw, tenantId);
    const t = csvTime(nowSec() - 600);
    // No ORDER_ID: the event_id is the row's hash, the same in both uploads.
    const file = `DATA_SET_ID,EVENT_TIME,EMAIL\n${Array.from({ length: 1000 }, (_, i) => `${pixelId},${t},r${i}@example.com`).join('\n')}\n`;
    const first = await post({ tenantId }, file);
    assert.equal(first.body.uploaded, 1000);
    const again = await post({ tenantId }, file);
    assert.equal(again.status, 200);
    assert.deepEqual(
      { rows: again.body.rows, uploaded: again.body.uploaded, duplicates: again.body.duplicates },
      { rows: 1000, uploaded: 0, duplicates: 1000 },
    );
    await drained(pixelId, 1000);
    assert.equal(published(pixelId).length, 1000);
  });

  test('physical_store rows may be 62 days old; other rows 7 days, and the report says so', async () => {
    const { pixelId } = await addPixelTo(gw, tenantId);
    const old = csvTime(nowSec() - 30 * DAY);
    const file = `DATA_SET_ID,EVENT_TIME,ACTION_SOURCE,EMAIL,ORDER_ID\n${pixelId},${old},physical_store,a@example.com,store-1\n${pixelId},${old},website,b@example.com,web-1\n${pixelId},${csvTime(nowSec() - 63 * DAY)},,c@example.com,store-2\n`;
    const res = await post({ tenantId }, file);
    assert.equal(res.body.uploaded, 1);
    assert.deepEqual(
      res.body.excludedRows.map((r: UploadReport['excludedRows'][number]) => [r.row, r.reason]),
      [
        [3, 'invalid'],
        [4, 'invalid'],
      ],
    );
    assert.match(res.body.excludedRows[0].detail, /older than 7 days/);
    assert.match(res.body.excludedRows[1].detail, /older than 62 days/);
    await drained(pixelId, 1);
    assert.deepEqual(
      published(pixelId).map((e) => e.event_id),
      ['store-1'],
    );
  });

  test('with a FILE_UPLOAD data source, rows go through its pipeline; an unknown source is a 404', async () => {
    const { pixelId } = await addPixelTo(gw, tenantId);
    const sourceId = `9${String(Date.now()).padStart(18, '0')}`;
    const db = gw.gateway.db;
    // The source in a gateway pipeline whose destination is the pixel connection's.
    await db.query(
      `INSERT INTO data_sources (id, tenant_id, name, type) VALUES ($1, $2, 'Store sales', 'FILE_UPLOAD')`,
      [sourceId, tenantId],
    );
    const pipelineId = `sg_v1_pl_${randomBytes(8).toString('hex')}`;
    await db.query(`INSERT INTO pipelines (id, tenant_id, name, type) VALUES ($1, $2, 'Offline', 'GATEWAY_PIPELINE')`, [
      pipelineId,
      tenantId,
    ]);
    await db.query('INSERT INTO pipeline_sources (pipeline_id, source_id) VALUES ($1, $2)', [pipelineId, sourceId]);
    // The pixel connection's destination (delivered in the pixel's lane with its token).
    await db.query(
      `INSERT INTO data_destinations (id, tenant_id, name, type, pixel_id, dataset_id)
         VALUES ($1, $2, 'Meta Dataset', 'META_CONVERSIONS_API', $3, $3) ON CONFLICT (pixel_id) DO NOTHING`,
      [`sg_v1_dd_${randomBytes(8).toString('hex')}`, tenantId, pixelId],
    );
    await db.query(
      `INSERT INTO pipeline_destinations (pipeline_id, destination_id)
         SELECT $1, id FROM data_destinations WHERE pixel_id = $2`,
      [pipelineId, pixelId],
    );
    const t = csvTime(nowSec() - 600);
    const res = await post(
      { tenantId, dataSourceId: sourceId },
      `DATA_SET_ID,EVENT_TIME,EMAIL,ORDER_ID\n${pixelId},${t},s@example.com,src-1\n`,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.uploaded, 1, JSON.stringify(res.body));
    await drained(pixelId, 1);
    assert.equal(published(pixelId)[0]?.event_id, 'src-1');

    const unknown = await post({ tenantId, dataSourceId: '1234567890123456789' }, 'DATA_SET_ID,EVENT_TIME\n');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /not a FILE_UPLOAD source/);
  });

  test('callers: like /capig/graphql/ (token, or session cookie with x-csrf-token), and the manage role', async () => {
    const { pixelId } = await addPixelTo(gw, tenantId);
    const file = `DATA_SET_ID,EVENT_TIME,EMAIL,ORDER_ID\n${pixelId},${csvTime(nowSec() - 60)},p@example.com,who-1\n`;
    const anonymous = await post({ tenantId }, file, {});
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.body.error.message, /not authenticated/);

    const viewer = await signInAs(gw, { roles: [`advertiser-view-${tenantId}`] });
    const viewed = await post({ tenantId }, file, {
      cookie: `capig_session=${viewer.sessionId}`,
      'x-csrf-token': viewer.csrfToken,
    });
    assert.equal(viewed.status, 403);
    assert.match(viewed.body.error.message, /manage role/);
    const list = await viewer.fetch(`/capig/uploads/?tenantId=${tenantId}`);
    assert.equal(list.status, 200, 'viewers see the reports');

    const manager = await signInAs(gw, { roles: [`advertiser-manage-${tenantId}`] });
    const cookie = `capig_session=${manager.sessionId}`;
    const noCsrf = await post({ tenantId }, file, { cookie });
    assert.equal(noCsrf.status, 401);
    assert.match(noCsrf.body.error.message, /x-csrf-token/);
    const stranger = await post({ tenantId: await createAccount(gw, { managed: false }) }, file, {
      cookie,
      'x-csrf-token': manager.csrfToken,
    });
    assert.equal(stranger.status, 404);
    // As a browser's fetch/XHR sends a File: the session cookie, the CSRF header, the file's type.
    const browser = await post({ tenantId, fileName: 'sales.csv' }, file, {
      cookie,
      'x-csrf-token': manager.csrfToken,
    });
    assert.equal(browser.status, 200, JSON.stringify(browser.body));
    assert.equal(browser.body.uploaded, 1);

    const json = await post({ tenantId }, '{}', {
      authorization: `Bearer ${api.token}`,
      'content-type': 'application/json',
    });
    assert.equal(json.status, 415);
    assert.match(json.body.error.message, /text\/csv/);
    const headerless = await post({ tenantId }, 'just,some,words\n');
    assert.equal(headerless.status, 400);
    assert.match(headerless.body.error.message, /no DATA_SET_ID column/);
    assert.equal(headerless.body.upload.status, 'FAILED');
  });
});
