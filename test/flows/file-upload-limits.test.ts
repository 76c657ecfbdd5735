import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createFileUploadsRepo } from '../../src/database/repos/file-uploads-repo.js';
import { createUploadAuthorizer } from '../../src/ingest/file-upload/authorize-upload.js';
import { createFileUpload } from '../../src/ingest/file-upload/upload-file.js';
import { createIngest } from '../../src/ingest/ingest.js';
import { createIngestLimiter } from '../../src/ingest/rate-limiter.js';
import { registerPostUploads } from '../../src/ingest/routes/post-uploads.js';
import { createHttpApp } from '../../src/platform/http-app.js';
import { createEventWriter } from '../../src/queue/event-writer.js';
import { addPixelTo, type ApiCaller, apiToken, createAccount } from '../control-plane/people.js';
import { startTestGateway, type TestGateway, waitFor } from '../harness.js';
import {
  csvRowsStream,
  csvTime,
  drainedTo,
  nowSec,
  postUpload,
  publishedEvents,
  UPLOAD_HEADER,
  type UploadReport,
} from '../uploads.js';

// The limits of a file upload: the byte cap (announced, or reached while streaming), uploads at
// once, and a client that goes away midway. Whatever stops an upload, the rows it had committed
// are reported, and they reach Meta.

describe('file upload limits', () => {
  let gw: TestGateway;
  let api: ApiCaller;
  let tenantId: string;
  before(async () => {
    gw = await startTestGateway();
    api = await apiToken(gw);
    tenantId = await createAccount(gw);
  });
  after(() => gw.stop());

  const post = (url: string, query: Record<string, string>, body: string | ReadableStream<Uint8Array>) =>
    postUpload(url, query, body, { authorization: `Bearer ${api.token}` });

  test('a body announced beyond the cap is refused at once with 413', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${gw.url}/capig/uploads/?tenantId=${tenantId}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${api.token}`,
          'content-type': 'text/csv',
          'content-length': String(3 * 1024 ** 3),
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(UPLOAD_HEADER);
    });
    assert.equal(answer.status, 413);
    assert.match(JSON.parse(answer.body).error.message, /larger than 2147483648 bytes/);
  });

  /** The same parts as the gateway's, composed with other limits (2 GiB is too much to send in a test). */
  async function sideGateway(limits: { maxBytes: number; maxRunning?: number }) {
    const db = gw.gateway.db;
    const log = gw.gateway.log;
    const ingest = createIngest({
      directory: gw.gateway.directory,
      writer: createEventWriter({ db, log }),
      log,
      limiter: createIngestLimiter({ perIp: null, perAccount: null }),
    });
    const app = createHttpApp(
      { host: '127.0.0.1', port: 0, publicUrl: null, trustProxy: false, bodyLimitBytes: 1024 * 1024, webDir: '' },
      log,
    );
    const uploads = createFileUploadsRepo(db);
    registerPostUploads(app, {
      authorize: createUploadAuthorizer({ authenticator: gw.gateway.authenticator, db }),
      upload: createFileUpload({ ingest, uploads, log, chunkRows: 100, maxRunning: limits.maxRunning }),
      maxBytes: limits.maxBytes,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    return { app, uploads, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
  }

  test('a streamed file past the cap: 413, and the rows before it are uploaded and reported', async () => {
    const side = await sideGateway({ maxBytes: 256 * 1024 });
    try {
      const { pixelId } = await addPixelTo(gw, tenantId);
      const res = await post(side.url, { tenantId }, csvRowsStream(pixelId, 20_000, randomBytes(4).toString('hex')));
      assert.equal(res.status, 413);
      assert.match(res.body.error.message, /larger than 262144 bytes/);
      const report = res.body.upload as UploadReport;
      assert.equal(report.status, 'FAILED');
      assert.ok(report.uploaded > 1000 && report.uploaded < 20_000, `uploaded ${report.uploaded}`);
      assert.equal(report.rows, report.uploaded);
      await drainedTo(gw, pixelId, report.uploaded);
      assert.equal(publishedEvents(gw, pixelId).length, report.uploaded, 'every row reported uploaded reached Meta');
      const saved = await side.uploads.get({ tenantId, visibleTenantIds: [tenantId] }, report.id);
      assert.equal(saved?.status, 'FAILED');
      assert.equal(saved?.uploaded, report.uploaded);
    } finally {
      await side.app.close();
    }
  });

  test('uploads at once are limited (429); one cut off midway is FAILED with the rows it had sent', async () => {
    const side = await sideGateway({ maxBytes: 1024 ** 3, maxRunning: 1 });
    const { pixelId } = await addPixelTo(gw, tenantId);
    const t = csvTime(nowSec() - 60);
    const rows = (from: number, n: number) =>
      Array.from(
        { length: n },
        (_, i) => `${pixelId},${t},cut${from + i}@example.com,cut-${pixelId}-${from + i}\n`,
      ).join('');
    const url = new URL(`${side.url}/capig/uploads/?tenantId=${tenantId}&fileName=cut.csv`);
    // A client that sends 300 rows and then goes away.
    const req = httpRequest(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
    });
    req.on('error', () => undefined);
    req.write(`DATA_SET_ID,EVENT_TIME,EMAIL,ORDER_ID\n${rows(0, 300)}`);
    try {
      const scope = { tenantId, visibleTenantIds: [tenantId] };
      await waitFor(async () => (await side.uploads.list(scope, 1))[0]?.fileName === 'cut.csv', 'the upload started');
      const second = await post(side.url, { tenantId }, 'DATA_SET_ID,EVENT_TIME\n');
      assert.equal(second.status, 429);
      assert.match(second.body.error.message, /retry when one has finished/);

      // Gone once the first chunk (100 rows) was committed and sent; later rows may still be unread.
      await waitFor(() => gw.fake.events(pixelId).length >= 100, 'the first chunk at Meta');
      req.destroy();
      await waitFor(async () => (await side.uploads.list(scope, 1))[0]?.status === 'FAILED', 'the upload failed');
      const [cut] = await side.uploads.list(scope, 1);
      assert.match(cut?.error ?? '', /cut off/);
      assert.ok(cut && cut.uploaded >= 100 && cut.uploaded <= 300 && cut.uploaded === cut.rows, JSON.stringify(cut));
      await drainedTo(gw, pixelId, cut?.uploaded ?? 0);
      assert.equal(publishedEvents(gw, pixelId).length, cut?.uploaded);
    } finally {
      req.destroy();
      await side.app.close();
    }
  });
});
