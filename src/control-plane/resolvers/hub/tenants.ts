import { createTenantsRepo, type TenantRecord } from '../../../database/repos/tenants-repo.js';
import type { ControlContext } from '../../context.js';

// Query.tenants (extension): every account the caller can see.
export function tenants(_p: unknown, _a: unknown, ctx: ControlContext): Promise<TenantRecord[]> {
  return createTenantsRepo(ctx.deps.db).list(ctx.access.visibleTenantIds);
}
