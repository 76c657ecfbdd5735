import { deletePixel } from '../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../context.js';
import { pixelNotFound, scopeOf, type TenantParent } from './common.js';

// tenantMutations(tenantId) { signalMutations { deleteDataSource(id) } } (Meta's
// DeleteDataSourceModalMutation): removes the pixel, its own filters and the events still queued
// for it (they can no longer be published: the token goes with the pixel). The account's
// per-minute metrics stay as history.
export async function deleteDataSource(
  parent: TenantParent,
  args: { id: string },
  ctx: ControlContext,
): Promise<boolean> {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const scope = scopeOf(ctx, tenantId);
  const gone = await ctx.deps.db.transaction((tx) => deletePixel(tx, scope, args.id));
  if (!gone) throw pixelNotFound(tenantId, [args.id]);
  ctx.deps.directory.invalidate(args.id);
  ctx.deps.log.info(
    { tenantId, pixelId: args.id, queuedEventsDeleted: gone.queued },
    'pixel removed with its filters and queued events',
  );
  return true;
}
