import { randomUUID } from 'node:crypto';
import { pgJson, type Sql } from '../db.js';
import { scopeParams, type TenantScope } from './signal-configs-repo.js';

// File uploads (C.9) and their reports. Reads take the caller's account and visible accounts and
// filter on both in SQL, like every control-plane read. Writes name the upload and its account:
// only the upload that created the row (after its caller was authorized) writes to it.

export type UploadStatus = 'RUNNING' | 'DONE' | 'FAILED';

/** One excluded row: its 1-based line in the file, the reason (a code) and what was wrong. */
export interface ExcludedRow {
  row: number;
  reason: string;
  detail?: string;
}

/** What an upload has done so far (RUNNING) or in the end. */
export interface UploadCounts {
  rows: number;
  uploaded: number;
  duplicates: number;
  excluded: number;
  excludedReasons: Record<string, number>;
  excludedRows: ExcludedRow[];
  /** About the file as a whole (unknown columns, ...). */
  warnings: string[];
}

export interface FileUploadRecord extends UploadCounts {
  id: string;
  tenantId: string;
  /** The FILE_UPLOAD source the rows went to, or null (each row named its pixel in DATA_SET_ID). */
  sourceId: string | null;
  fileName: string;
  status: UploadStatus;
  error: string | null;
  /** ms since epoch. */
  startedAt: number;
  finishedAt: number | null;
}

interface Row {
  id: string;
  tenant_id: string;
  source_id: string | null;
  file_name: string;
  status: UploadStatus;
  rows: string;
  uploaded: string;
  duplicates: string;
  excluded: string;
  excluded_reasons: Record<string, number>;
  excluded_rows: ExcludedRow[];
  warnings: string[];
  error: string | null;
  started_ms: number;
  finished_ms: number | null;
}

const COLUMNS = `id, tenant_id, source_id, file_name, status, rows, uploaded, duplicates, excluded, excluded_reasons,
  excluded_rows, warnings, error, (extract(epoch FROM started_at) * 1000)::float8 AS started_ms,
  (extract(epoch FROM finished_at) * 1000)::float8 AS finished_ms`;

/** The list shows the newest uploads; older reports stay in the table. */
export const MAX_LISTED_UPLOADS = 100;

export function createFileUploadsRepo(sql: Sql) {
  return {
    /** The account's uploads, newest first (at most `limit`, capped at MAX_LISTED_UPLOADS). */
    async list(scope: TenantScope, limit = 20): Promise<FileUploadRecord[]> {
      const rows = await sql.query<Row>(
        `SELECT ${COLUMNS} FROM file_uploads
          WHERE tenant_id = $1 AND tenant_id = ANY($2::text[])
          ORDER BY started_at DESC, id LIMIT $3`,
        [...scopeParams(scope), Math.max(1, Math.min(limit, MAX_LISTED_UPLOADS))],
      );
      return rows.map(toRecord);
    },

    async get(scope: TenantScope, id: string): Promise<FileUploadRecord | null> {
      const [row] = await sql.query<Row>(
        `SELECT ${COLUMNS} FROM file_uploads WHERE tenant_id = $1 AND tenant_id = ANY($2::text[]) AND id = $3`,
        [...scopeParams(scope), id],
      );
      return row ? toRecord(row) : null;
    },

    /** The account's pixel ids: rows without a data source may name only these. */
    async pixelIds(scope: TenantScope): Promise<Set<string>> {
      const rows = await sql.query<{ pixel_id: string }>(
        'SELECT pixel_id FROM pixels WHERE tenant_id = $1 AND tenant_id = ANY($2::text[])',
        scopeParams(scope),
      );
      return new Set(rows.map((r) => r.pixel_id));
    },

    /** The account's FILE_UPLOAD source with this id, or null. */
    async fileSource(scope: TenantScope, sourceId: string): Promise<{ id: string; active: boolean } | null> {
      const [row] = await sql.query<{ id: string; active: boolean }>(
        `SELECT id, active FROM data_sources
          WHERE tenant_id = $1 AND tenant_id = ANY($2::text[]) AND id = $3 AND type = 'FILE_UPLOAD'`,
        [...scopeParams(scope), sourceId],
      );
      return row ?? null;
    },

    /** A new RUNNING upload; returns its id. */
    async start(input: { tenantId: string; sourceId: string | null; fileName: string }): Promise<string> {
      const id = `fu_${randomUUID()}`;
      await sql.query(
        `INSERT INTO file_uploads (id, tenant_id, source_id, file_name, status) VALUES ($1, $2, $3, $4, 'RUNNING')`,
        [id, input.tenantId, input.sourceId, input.fileName],
      );
      return id;
    },

    /** The running counts, or the final ones with DONE/FAILED (and the failure's message). */
    async update(
      tenantId: string,
      id: string,
      counts: UploadCounts,
      end: { status: 'DONE' | 'FAILED'; error: string | null } | null = null,
    ): Promise<void> {
      await sql.query(
        `UPDATE file_uploads
            SET rows = $3, uploaded = $4, duplicates = $5, excluded = $6, excluded_reasons = $7::jsonb,
                excluded_rows = $8::jsonb, status = coalesce($9, status), error = coalesce($10, error), updated_at = now(),
                warnings = $11::jsonb,
                finished_at = CASE WHEN $9::text IS NULL THEN finished_at ELSE now() END
          WHERE tenant_id = $1 AND id = $2`,
        [
          tenantId,
          id,
          counts.rows,
          counts.uploaded,
          counts.duplicates,
          counts.excluded,
          pgJson(counts.excludedReasons),
          pgJson(counts.excludedRows),
          end?.status ?? null,
          end?.error ?? null,
          pgJson(counts.warnings),
        ],
      );
    },
  };
}

export type FileUploadsRepo = ReturnType<typeof createFileUploadsRepo>;

function toRecord(r: Row): FileUploadRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    sourceId: r.source_id,
    fileName: r.file_name,
    status: r.status,
    rows: Number(r.rows),
    uploaded: Number(r.uploaded),
    duplicates: Number(r.duplicates),
    excluded: Number(r.excluded),
    excludedReasons: parsed(r.excluded_reasons) as Record<string, number>,
    excludedRows: parsed(r.excluded_rows) as ExcludedRow[],
    warnings: parsed(r.warnings) as string[],
    error: r.error,
    startedAt: Number(r.started_ms),
    finishedAt: r.finished_ms === null ? null : Number(r.finished_ms),
  };
}

/** jsonb arrives parsed from pg; a driver that hands text gets it parsed here. */
function parsed(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}
