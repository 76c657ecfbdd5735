import { createUsersRepo } from '../../../database/repos/users-repo.js';
import type { ControlContext } from '../../context.js';
import { keepAnAdmin, requireActOnUser, visibleUser } from './people.js';

// userMutations.deleteUser (extension): removes the user everywhere, with their sessions and
// links. The caller must administer every account the user is in; a sole admin stays (400).
export async function deleteUser(_p: unknown, args: { userId: string }, ctx: ControlContext): Promise<boolean> {
  await visibleUser(ctx, args.userId);
  await ctx.deps.db.transaction(async (tx) => {
    const users = createUsersRepo(tx);
    const scopes = await users.scopesOf(args.userId);
    requireActOnUser(ctx, scopes);
    for (const s of scopes) if (s.level === 'admin') await keepAnAdmin(tx, s.tenantId, args.userId);
    await users.delete(args.userId);
  });
  return true;
}
