import { createAlertsRepo } from '../../../database/repos/alerts-repo.js';
import type { ControlContext } from '../../context.js';
import { badInput } from '../../errors.js';
import type { TenantParent } from './common.js';

// tenantQueries { alertIncidents(limit) } (extension): what fired for this account, newest first.
// pixelId is the lane: a pixel id, or a gateway destination's id (then destinationName/Type say
// which one it is; they are null for a pixel connection, and the name once it is deleted).

const MAX = 200;

export async function alertIncidents(parent: TenantParent, args: { limit?: number | null }, ctx: ControlContext) {
  ctx.access.require(parent.tenantId, 'view');
  const limit = args.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX) throw badInput(`limit must be 1 to ${MAX}`);
  const rows = await createAlertsRepo(ctx.deps.db).incidents(parent.tenantId, limit);
  return rows.map((r) => ({
    id: String(r.id),
    pixelId: r.pixelId,
    destinationId: r.destination?.id ?? null,
    destinationName: r.destination?.name ?? null,
    destinationType: r.destination?.type ?? null,
    kind: r.kind,
    detail: r.detail,
    openedAt: r.openedAt.toISOString(),
    resolvedAt: r.resolvedAt?.toISOString() ?? null,
  }));
}
