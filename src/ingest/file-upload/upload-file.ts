import { PassThrough, type Readable, Transform } from 'node:stream';
import { isUnavailableError } from '../../database/db.js';
import type { ExcludedRow, FileUploadsRepo, UploadCounts } from '../../database/repos/file-uploads-repo.js';
import type { TenantScope } from '../../database/repos/signal-configs-repo.js';
import type { RequestInfo } from '../../domain/event.js';
import type { Logger } from '../../platform/logger.js';
import type { Ingest } from '../ingest.js';
import { readCsvEvents } from './csv-events.js';

// One file upload, free of HTTP: the file streams through the CSV reader, its rows go to ingest in
// chunks (each awaited before more is read: that is the back pressure, so memory holds one chunk
// whatever the file's size), and the report in file_uploads follows along.

/** Rows per ingest call: one group commit's worth. */
export const UPLOAD_CHUNK_ROWS = 500;
/** Excluded rows kept in the report, with their line and reason; beyond, only counted. */
export const KEPT_EXCLUDED_ROWS = 1000;
const KEPT_WARNINGS = 20;
/** Uploads running at once in one process: each holds a chunk and a database connection at a time. */
export const MAX_RUNNING_UPLOADS = 4;
const PROGRESS_EVERY_MS = 1000;

export interface UploadReport extends UploadCounts {
  id: string;
  status: 'DONE' | 'FAILED';
  warnings: string[];
  error: string | null;
}

export type UploadFailureKind = 'unreadable' | 'too_large' | 'interrupted' | 'unavailable';

export type UploadOutcome =
  | { kind: 'rejected'; status: 404 | 429; message: string }
  | { kind: 'finished'; report: UploadReport; failure: { kind: UploadFailureKind; message: string } | null };

export interface UploadInput {
  /** The account the caller may manage (checked before), and the accounts it can see. */
  scope: TenantScope;
  /** A FILE_UPLOAD source of the account, or null: each row goes to the pixel its DATA_SET_ID names. */
  sourceId: string | null;
  fileName: string;
  body: Readable;
  maxBytes: number;
  request: RequestInfo;
}

export interface FileUploadDeps {
  ingest: Pick<Ingest, 'file'>;
  uploads: FileUploadsRepo;
  log: Logger;
  chunkRows?: number;
  maxRunning?: number;
}

/** The input stream ended beyond the byte cap. */
export class FileTooLargeError extends Error {
  readonly code = 'FILE_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
  }
}

export function createFileUpload(deps: FileUploadDeps) {
  const chunkRows = deps.chunkRows ?? UPLOAD_CHUNK_ROWS;
  const maxRunning = deps.maxRunning ?? MAX_RUNNING_UPLOADS;
  let running = 0;

  return async function uploadFile(input: UploadInput): Promise<UploadOutcome> {
    if (running >= maxRunning) {
      return {
        kind: 'rejected',
        status: 429,
        message: `${running} uploads are running on this gateway; retry when one has finished`,
      };
    }
    running++;
    try {
      return await upload(input);
    } finally {
      running--;
    }
  };

  async function upload(input: UploadInput): Promise<UploadOutcome> {
    const { scope } = input;
    let pixelIds: Set<string> | null = null;
    if (input.sourceId !== null) {
      const source = await deps.uploads.fileSource(scope, input.sourceId);
      if (!source) {
        return {
          kind: 'rejected',
          status: 404,
          message: `data source ${input.sourceId} is not a FILE_UPLOAD source of account ${scope.tenantId}`,
        };
      }
    } else pixelIds = await deps.uploads.pixelIds(scope);

    const id = await deps.uploads.start({
      tenantId: scope.tenantId,
      sourceId: input.sourceId,
      fileName: input.fileName,
    });
    const tally = new Tally();
    let chunk: Array<{ line: number; pixelId: string; raw: unknown }> = [];
    let lastProgress = Date.now();

    const flush = async () => {
      if (chunk.length === 0) return;
      const rows = chunk;
      chunk = [];
      const result = await deps.ingest.file(
        rows.map((r) => ({ pixelId: r.pixelId, raw: r.raw })),
        { ...input.request, receivedAt: Date.now() },
      );
      for (const d of result.dropped) {
        tally.exclude(rows[d.index]?.line ?? 0, d.reason, d.detail ?? null);
      }
      tally.uploaded += result.queued;
      tally.duplicates += result.duplicates;
      // Stored but not sent: the pixel's publishing switch is off (ingest counts these, not their rows).
      if (result.notPublished > 0) tally.excludeUnlisted('publishing_disabled', result.notPublished);
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        await deps.uploads.update(scope.tenantId, id, tally.counts());
      }
    };

    let failure: { kind: UploadFailureKind; message: string } | null = null;
    try {
      for await (const item of readCsvEvents(capBytes(input.body, input.maxBytes))) {
        if (item.kind === 'warning') {
          if (tally.warnings.length < KEPT_WARNINGS) tally.warnings.push(item.message);
          continue;
        }
        if (item.kind === 'stopped') {
          failure = { kind: 'unreadable', message: item.message };
          break;
        }
        tally.rows++;
        if (item.kind === 'excluded') {
          tally.exclude(item.line, item.reason, item.detail);
          continue;
        }
        if (pixelIds && !pixelIds.has(item.dataSetId)) {
          tally.exclude(
            item.line,
            'data_set_not_in_account',
            `DATA_SET_ID ${item.dataSetId} is not a pixel of account ${scope.tenantId}`,
          );
          continue;
        }
        chunk.push({ line: item.line, pixelId: input.sourceId ?? item.dataSetId, raw: item.event });
        if (chunk.length >= chunkRows) await flush();
      }
      await flush();
    } catch (err) {
      failure = await failed(err);
    }

    /** The cause of a stop. Rows read whole before the file was cut or capped are still uploaded. */
    async function failed(err: unknown): Promise<{ kind: UploadFailureKind; message: string }> {
      if (err instanceof FileTooLargeError || err instanceof UploadCutOffError) {
        if (err instanceof UploadCutOffError) deps.log.info({ err: { message: err.message } }, 'file upload cut off');
        try {
          await flush();
        } catch (e) {
          if (!isUnavailableError(e)) throw e;
        }
        return err instanceof FileTooLargeError
          ? {
              kind: 'too_large',
              message: `the file is larger than ${input.maxBytes} bytes; the rows before that point were processed`,
            }
          : {
              kind: 'interrupted',
              message: 'the upload was cut off before the end of the file; the rows received were processed',
            };
      }
      if (isUnavailableError(err)) {
        return { kind: 'unavailable', message: 'the database became unavailable; rows counted here were stored' };
      }
      // A bug: the report says the upload failed, and the error goes on to be answered as a 500.
      await deps.uploads
        .update(scope.tenantId, id, tally.counts(), { status: 'FAILED', error: 'internal error; see the gateway log' })
        .catch(() => undefined);
      throw err;
    }

    const report: UploadReport = {
      id,
      status: failure ? 'FAILED' : 'DONE',
      ...tally.counts(),
      error: failure?.message ?? null,
    };
    try {
      await deps.uploads.update(scope.tenantId, id, tally.counts(), { status: report.status, error: report.error });
    } catch (err) {
      if (!isUnavailableError(err)) throw err;
      deps.log.warn({ uploadId: id }, 'the final report of a file upload could not be saved');
    }
    return { kind: 'finished', report, failure };
  }
}

export type UploadFile = ReturnType<typeof createFileUpload>;

/** Running counts; the first excluded rows are kept with their reasons. */
class Tally {
  rows = 0;
  uploaded = 0;
  duplicates = 0;
  excluded = 0;
  /** About the file as a whole (unknown columns, ...), kept with the report. */
  readonly warnings: string[] = [];
  private readonly reasons: Record<string, number> = {};
  private readonly kept: ExcludedRow[] = [];

  exclude(row: number, reason: string, detail: string | null): void {
    this.excludeUnlisted(reason, 1);
    if (this.kept.length < KEPT_EXCLUDED_ROWS) this.kept.push(detail ? { row, reason, detail } : { row, reason });
  }

  excludeUnlisted(reason: string, n: number): void {
    this.excluded += n;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + n;
  }

  counts(): UploadCounts {
    return {
      rows: this.rows,
      uploaded: this.uploaded,
      duplicates: this.duplicates,
      excluded: this.excluded,
      excludedReasons: { ...this.reasons },
      excludedRows: [...this.kept].sort((a, b) => a.row - b.row),
      warnings: [...this.warnings],
    };
  }
}

/** The request body ended before its end: the client went away or the connection broke. */
export class UploadCutOffError extends Error {
  constructor(cause?: unknown) {
    super('the upload was cut off', { cause });
  }
}

/**
 * The body, ended with FileTooLargeError past maxBytes (UploadCutOffError if it breaks off). The body itself is only unpiped, never
 * destroyed: the HTTP request's socket must live on to carry the answer. A body that closes before
 * its end (the client went away) ends the stream with an error too.
 */
export function capBytes(body: Readable, maxBytes: number): Readable {
  let seen = 0;
  const capped = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) {
        body.unpipe(capped);
        done(new FileTooLargeError(maxBytes));
      } else done(null, chunk);
    },
  });
  body.on('error', (err) => capped.destroy(new UploadCutOffError(err)));
  body.on('close', () => {
    if (!body.readableEnded && !capped.destroyed) capped.destroy(new UploadCutOffError());
  });
  body.pipe(capped);
  return capped;
}

/** A readable of nothing, for a request that came without a body. */
export function emptyBody(): Readable {
  const p = new PassThrough();
  p.end();
  return p;
}
