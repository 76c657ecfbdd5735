import { createTenantsRepo } from '../../../database/repos/tenants-repo.js';
import type { ControlContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { refreshAccess } from './people.js';

// tenantMutations.deleteTenant (Meta: DeleteTenant): removes the account, its pixels, filters,
// routing, queued events, counts and roles; users left without any role are deleted. Account
// admins (host admins on managed accounts).
export async function deleteTenant(_p: unknown, args: { tenantId: string }, ctx: ControlContext): Promise<boolean> {
  ctx.access.require(args.tenantId, 'admin');
  const removed = await ctx.deps.db.transaction((tx) =>
    createTenantsRepo(tx).delete(ctx.access.visibleTenantIds, args.tenantId),
  );
  if (!removed) throw notFound(`account ${args.tenantId} not found`);
  for (const pixelId of removed.pixelIds) ctx.deps.directory.invalidate(pixelId);
  await refreshAccess(ctx);
  return true;
}
