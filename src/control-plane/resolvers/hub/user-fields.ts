import type { TenantRecord } from '../../../database/repos/tenants-repo.js';
import type { UserRecord } from '../../../database/repos/users-repo.js';
import type { ControlContext } from '../../context.js';
import { roleView } from './people.js';

// Fields of User that are computed. `roles` holds only what the caller may see (filtered in SQL).
export const userFields = {
  roles: (u: UserRecord) => u.roles.map(roleView),
  tenants: async (u: UserRecord, _a: unknown, ctx: ControlContext): Promise<TenantRecord[]> => {
    const ids = new Set(u.roles.map((r) => r.tenantId));
    const found = await ctx.loaders.tenant.loadMany(ctx.access.visibleTenantIds.filter((id) => ids.has(id)));
    return found
      .filter((t): t is TenantRecord => t !== null && !(t instanceof Error))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  },
  isSelf: (u: UserRecord, _a: unknown, ctx: ControlContext) =>
    ctx.principal.kind === 'user' && ctx.principal.userId === u.id,
  canBeDeleted: (u: UserRecord) => !u.soleAdmin,
};
