import { createTenantsRepo, type TenantRecord } from '../../../database/repos/tenants-repo.js';
import type { ControlContext } from '../../context.js';
import { notFound } from '../../errors.js';

// Query.tenant(tenantId) (Meta: TenantAccountUsersViewQuery). Not visible = not found.
export async function tenant(_p: unknown, args: { tenantId: string }, ctx: ControlContext): Promise<TenantRecord> {
  const found = await createTenantsRepo(ctx.deps.db).get(ctx.access.visibleTenantIds, args.tenantId);
  if (!found) throw notFound(`account ${args.tenantId} not found`);
  return found;
}
