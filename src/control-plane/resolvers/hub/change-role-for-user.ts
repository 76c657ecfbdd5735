import { createUsersRepo, type UserRecord } from '../../../database/repos/users-repo.js';
import type { Level } from '../../access.js';
import type { ControlContext } from '../../context.js';
import { badInput, notFound } from '../../errors.js';
import {
  keepAnAdmin,
  refreshAccess,
  requireScopeAdmin,
  roleFromInput,
  scopeOf,
  visibilityOf,
  visibleUser,
} from './people.js';

// userMutations.changeRoleForUser (Meta: UserAccessChangeMutation): revoke and/or add a role in
// one call. The caller must administer the scope of each role. A user holds one role per scope,
// so adding a role where they already have one replaces it. The last admin of a scope stays.
interface ChangeRoleForUserInput {
  userId: string;
  roleToRevoke?: string | null;
  roleToAdd?: string | null;
}

export async function changeRoleForUser(
  _p: unknown,
  args: { input: ChangeRoleForUserInput },
  ctx: ControlContext,
): Promise<{ user: UserRecord | null }> {
  const { input } = args;
  if (!input.roleToRevoke && !input.roleToAdd) throw badInput('give roleToRevoke, roleToAdd, or both');
  await visibleUser(ctx, input.userId);
  const revoke = input.roleToRevoke ? await roleFromInput(ctx, input.roleToRevoke) : null;
  const add = input.roleToAdd ? await roleFromInput(ctx, input.roleToAdd) : null;
  for (const role of [revoke, add]) if (role) requireScopeAdmin(ctx, scopeOf(role));

  await ctx.deps.db.transaction(async (tx) => {
    const users = createUsersRepo(tx);
    const before = new Map<string, Level>((await users.scopesOf(input.userId)).map((s) => [s.tenantId, s.level]));
    const after = new Map(before);
    if (revoke) {
      if (before.get(scopeOf(revoke)) !== revoke.level) {
        throw notFound(`user ${input.userId} does not have the role ${input.roleToRevoke}`);
      }
      after.delete(scopeOf(revoke));
    }
    if (add) after.set(scopeOf(add), add.level);
    for (const [scope, level] of before) {
      if (level === 'admin' && after.get(scope) !== 'admin') await keepAnAdmin(tx, scope, input.userId);
    }
    if (revoke && !after.has(scopeOf(revoke))) await users.revoke(input.userId, scopeOf(revoke));
    if (add) await users.grant(input.userId, scopeOf(add), add.level);
  });
  if (ctx.principal.kind === 'user' && ctx.principal.userId === input.userId) await refreshAccess(ctx);
  // After losing their last role the caller can see, the user is no longer theirs to see.
  return { user: await createUsersRepo(ctx.deps.db).get(visibilityOf(ctx), input.userId) };
}
