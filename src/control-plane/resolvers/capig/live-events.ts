import { isOwnLaneOrSource } from '../../../database/repos/data-destinations-repo.js';
import { createRecentEventsRepo } from '../../../database/repos/recent-events-repo.js';
import { findPixel } from '../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../context.js';
import { badInput } from '../../errors.js';
import { pixelNotFound, scopeOf, type TenantParent } from './common.js';

// tenantQueries { liveEvents(pixelId, limit, afterId) } (extension): a pixel's latest events with
// the payload sent to Meta and Meta's answer, or why it was not sent. Newest first. pixelId may
// also name a destination's lane (DataDestination.lane) or a Signals Gateway source of the account.

const MAX_LIMIT = 200;

export async function liveEvents(
  parent: TenantParent,
  args: { pixelId: string; limit?: number | null; afterId?: string | null },
  ctx: ControlContext,
) {
  const limit = args.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw badInput(`limit must be a whole number from 1 to ${MAX_LIMIT} (got ${limit})`);
  }
  const afterId = args.afterId ?? null;
  if (afterId !== null && !/^\d{1,18}$/.test(afterId))
    throw badInput(`afterId must be an id from liveEvents (got "${afterId}")`);
  const scope = scopeOf(ctx, parent.tenantId);
  const known =
    (await findPixel(ctx.deps.db, scope, args.pixelId)) !== null ||
    (await isOwnLaneOrSource(ctx.deps.db, scope, args.pixelId));
  if (!known) throw pixelNotFound(parent.tenantId, [args.pixelId]);
  const rows = await createRecentEventsRepo(ctx.deps.db).list(scope, args.pixelId, limit, afterId);
  return rows.map((r) => ({
    ...r,
    payload: r.payload === null ? null : JSON.stringify(r.payload),
    response: r.response === null ? null : JSON.stringify(r.response),
  }));
}
