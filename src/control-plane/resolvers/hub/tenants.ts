import { createTenantsRepo, type TenantRecord } from '../../../database/repos/tenants-repo.js';
import type { ControlContext } from '../../context.js';

// Query.tenants(includeUnmanaged) (extension): every account the caller can see. Host admins may
// also list unmanaged accounts, as Meta's Manage accounts page does ("Setup in progress" until the
// invited admin signs up): name, status and usage only, since Tenant's other fields (users, roles,
// UI flags) answer per the caller's own level in the account, which is none.
export function tenants(
  _p: unknown,
  args: { includeUnmanaged?: boolean | null },
  ctx: ControlContext,
): Promise<TenantRecord[]> {
  const repo = createTenantsRepo(ctx.deps.db);
  if (args.includeUnmanaged && ctx.access.hostLevel === 'admin') return repo.listAll();
  return repo.list(ctx.access.visibleTenantIds);
}
