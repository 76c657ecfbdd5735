import { createFileUploadsRepo, MAX_LISTED_UPLOADS } from '../../../../database/repos/file-uploads-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';

// tenantQueries { fileUploads(limit) } (extension): the account's CSV uploads with their reports,
// newest first (POST /capig/uploads/ makes them).
export async function fileUploads(parent: TenantParent, args: { limit?: number | null }, ctx: ControlContext) {
  const limit = args.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LISTED_UPLOADS) {
    throw badInput(`limit must be a whole number from 1 to ${MAX_LISTED_UPLOADS} (got ${limit})`);
  }
  const uploads = await createFileUploadsRepo(ctx.deps.db).list(scopeOf(ctx, parent.tenantId), limit);
  return uploads.map((u) => ({
    id: u.id,
    dataSourceId: u.sourceId,
    fileName: u.fileName,
    status: u.status,
    rows: u.rows,
    uploaded: u.uploaded,
    duplicates: u.duplicates,
    excluded: u.excluded,
    excludedReasons: Object.entries(u.excludedReasons).map(([reason, count]) => ({ reason, count })),
    excludedRows: u.excludedRows.map((r) => ({ row: r.row, reason: r.reason, detail: r.detail ?? null })),
    warnings: u.warnings,
    error: u.error,
    startedAt: new Date(u.startedAt).toISOString(),
    finishedAt: u.finishedAt === null ? null : new Date(u.finishedAt).toISOString(),
  }));
}
