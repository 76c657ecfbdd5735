import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUnavailableError } from '../../database/db.js';
import { errorBody } from '../../platform/http-app.js';
import type { AuthorizeUpload } from '../file-upload/authorize-upload.js';
import { emptyBody, type UploadFile, type UploadReport } from '../file-upload/upload-file.js';
import { requestInfo } from '../request-info.js';

// POST /capig/uploads/?tenantId=…[&dataSourceId=…][&fileName=…]: a CSV file (Meta's file upload
// headers, C.9) as the raw body, streamed: nothing buffers it, the core reads it as it arrives.
// Callers are those of /capig/graphql/ with the manage role on the account. Answers the report, or
// an error envelope (with the report as `upload` when rows were already processed).

/** Media types a CSV file arrives as: browsers label .csv files inconsistently. */
const CSV_TYPES = new Set([
  'text/csv',
  'application/csv',
  'text/plain',
  'application/octet-stream',
  'application/vnd.ms-excel',
]);

export interface PostUploadsDeps {
  authorize: AuthorizeUpload;
  upload: UploadFile;
  /** The byte cap, enforced while streaming (and at once when Content-Length says more). */
  maxBytes: number;
}

export function registerPostUploads(app: FastifyInstance, deps: PostUploadsDeps): void {
  // Own context: its body handling (the raw stream, for any type) reaches no other route.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scope.post('/capig/uploads', handle);
    scope.post('/capig/uploads/', handle);
  });

  async function handle(req: FastifyRequest, reply: FastifyReply) {
    const query = readQuery(req.query);
    if (!query.ok) return fail(reply, req, 400, 100, query.message);
    const auth = await deps.authorize(
      {
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
        csrfToken: single(req.headers['x-csrf-token']),
      },
      query.tenantId,
      'manage',
      { changes: true },
    );
    if (!auth.ok)
      return fail(reply, req, auth.status, auth.status === 404 ? 100 : auth.status === 401 ? 190 : 200, auth.message);

    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!CSV_TYPES.has(type)) {
      return fail(
        reply,
        req,
        415,
        100,
        `send the CSV file itself as the body with Content-Type text/csv (or application/octet-stream)${type ? `, not ${type}` : ''}`,
      );
    }
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > deps.maxBytes) {
      reply.header('connection', 'close');
      return fail(reply, req, 413, 100, `the file is larger than ${deps.maxBytes} bytes`);
    }

    const body = isReadable(req.body) ? req.body : emptyBody();
    let outcome: Awaited<ReturnType<UploadFile>>;
    try {
      outcome = await deps.upload({
        scope: auth.scope,
        sourceId: query.dataSourceId,
        fileName: query.fileName,
        body,
        maxBytes: deps.maxBytes,
        request: requestInfo(req),
      });
    } catch (err) {
      if (!isUnavailableError(err)) throw err;
      reply.header('retry-after', '5');
      return fail(
        reply,
        req,
        503,
        2,
        'the gateway cannot store the upload right now; nothing was stored, retry shortly',
      );
    }
    if (outcome.kind === 'rejected') {
      if (outcome.status === 429) reply.header('retry-after', '10');
      return fail(reply, req, outcome.status, outcome.status === 429 ? 613 : 100, outcome.message);
    }
    const { report, failure } = outcome;
    if (!failure) return reply.status(200).send(answer(report));
    switch (failure.kind) {
      case 'too_large':
        // The rest of the body is not read: the connection ends with the answer.
        reply.header('connection', 'close');
        return fail(reply, req, 413, 100, failure.message, report);
      case 'unavailable':
        reply.header('retry-after', '5');
        return fail(reply, req, 503, 2, failure.message, report);
      default:
        return fail(reply, req, 400, 100, failure.message, report);
    }
  }
}

/** The report as the API answers it. */
export function answer(r: UploadReport) {
  return {
    id: r.id,
    status: r.status,
    rows: r.rows,
    uploaded: r.uploaded,
    duplicates: r.duplicates,
    excluded: r.excluded,
    excludedReasons: r.excludedReasons,
    excludedRows: r.excludedRows,
    warnings: r.warnings,
    error: r.error,
  };
}

function fail(
  reply: FastifyReply,
  req: FastifyRequest,
  status: number,
  code: number,
  message: string,
  report?: UploadReport,
) {
  return reply
    .status(status)
    .send({ ...errorBody(message, code, req.id), ...(report ? { upload: answer(report) } : {}) });
}

type Query =
  | { ok: true; tenantId: string; dataSourceId: string | null; fileName: string }
  | { ok: false; message: string };

function readQuery(raw: unknown): Query {
  const q = (raw ?? {}) as Record<string, unknown>;
  const tenantId = q.tenantId;
  if (typeof tenantId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(tenantId)) {
    return { ok: false, message: 'tenantId is required in the query string: the account to upload to' };
  }
  const source = q.dataSourceId;
  if (source !== undefined && source !== '' && (typeof source !== 'string' || !/^\d{1,20}$/.test(source))) {
    return { ok: false, message: 'dataSourceId must be the numeric id of a FILE_UPLOAD data source' };
  }
  const fileName = q.fileName ?? '';
  if (typeof fileName !== 'string' || fileName.length > 255) {
    return { ok: false, message: 'fileName must be a string of at most 255 characters' };
  }
  return {
    ok: true,
    tenantId,
    dataSourceId: typeof source === 'string' && source !== '' ? source : null,
    // Shown in the dashboard: control characters have no business in a name.
    fileName: fileName.replace(/\p{Cc}/gu, ''),
  };
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function isReadable(v: unknown): v is Readable {
  return typeof (v as Readable | null)?.pipe === 'function' && typeof (v as Readable).on === 'function';
}
