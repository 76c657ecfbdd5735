import { createTenantsRepo, type TenantRecord } from '../../../database/repos/tenants-repo.js';
import type { UserRecord } from '../../../database/repos/users-repo.js';
import type { ControlContext } from '../../context.js';
import { roleView } from './people.js';

// Fields of User that are computed. `roles` holds only what the caller may see (filtered in SQL).
export const userFields = {
  roles: (u: UserRecord) => u.roles.map(roleView),
  tenants: (u: UserRecord, _a: unknown, ctx: ControlContext): Promise<TenantRecord[]> => {
    const ids = new Set(u.roles.map((r) => r.tenantId));
    return createTenantsRepo(ctx.deps.db).list(ctx.access.visibleTenantIds.filter((id) => ids.has(id)));
  },
  isSelf: (u: UserRecord, _a: unknown, ctx: ControlContext) =>
    ctx.principal.kind === 'user' && ctx.principal.userId === u.id,
  canBeDeleted: (u: UserRecord) => !u.soleAdmin,
};
