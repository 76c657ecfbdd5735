import { createUsersRepo } from '../../../database/repos/users-repo.js';
import type { ControlContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { keepAnAdmin, refreshAccess, visibleUser } from './people.js';

// userMutations.removeUserFromTenant (extension): takes the user's role in that account away
// (Meta's UI "Revoke"). Account admins. The last admin stays.
export async function removeUserFromTenant(
  _p: unknown,
  args: { userId: string; tenantId: string },
  ctx: ControlContext,
): Promise<boolean> {
  ctx.access.require(args.tenantId, 'admin');
  await visibleUser(ctx, args.userId);
  await ctx.deps.db.transaction(async (tx) => {
    const users = createUsersRepo(tx);
    const held = (await users.scopesOf(args.userId)).find((s) => s.tenantId === args.tenantId);
    if (!held) throw notFound(`user ${args.userId} is not in account ${args.tenantId}`);
    if (held.level === 'admin') await keepAnAdmin(tx, args.tenantId, args.userId);
    await users.revoke(args.userId, args.tenantId);
  });
  if (ctx.principal.kind === 'user' && ctx.principal.userId === args.userId) await refreshAccess(ctx);
  return true;
}
