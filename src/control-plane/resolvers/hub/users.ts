import { createUsersRepo, type UserRecord } from '../../../database/repos/users-repo.js';
import type { ControlContext } from '../../context.js';
import { visibilityOf } from './people.js';

// Query.users(tenantId) (extension): one account's users, or (no tenantId) every user the caller
// may see: host users to host roles, users of the accounts the caller sees, and users without any
// role to host admins.
export async function users(
  _p: unknown,
  args: { tenantId?: string | null },
  ctx: ControlContext,
): Promise<UserRecord[]> {
  const tenantId = args.tenantId ?? null;
  if (tenantId !== null) ctx.access.require(tenantId, 'view');
  return createUsersRepo(ctx.deps.db).list(visibilityOf(ctx), tenantId);
}
