import { TENANT_ACTIVE, TENANT_DEACTIVATED } from '../../../database/repos/accounts-repo.js';
import { createTenantsRepo, type TenantRecord } from '../../../database/repos/tenants-repo.js';
import { createUsersRepo } from '../../../database/repos/users-repo.js';
import type { ControlContext } from '../../context.js';
import { badInput, notFound } from '../../errors.js';
import { refreshAccess } from './people.js';

// tenantMutations.updateTenant (Meta: TenantEditNameModalMutation): partial update of the name,
// status (0 active, 2 deactivated) and canPartnerManage. Account admins (host admins on managed
// accounts). Deactivating stops the account's pixels at once on this instance.
interface UpdateTenantInput {
  tenantId: string;
  name?: string | null;
  status?: number | null;
  canPartnerManage?: boolean | null;
}

export async function updateTenant(
  _p: unknown,
  args: { input: UpdateTenantInput },
  ctx: ControlContext,
): Promise<{ tenant: TenantRecord }> {
  const { input } = args;
  ctx.access.require(input.tenantId, 'admin');
  const name = input.name == null ? null : input.name.trim();
  if (name !== null && (name === '' || name.length > 100)) throw badInput('name must be 1 to 100 characters');
  if (input.status != null && input.status !== TENANT_ACTIVE && input.status !== TENANT_DEACTIVATED) {
    throw badInput('status must be 0 (active) or 2 (deactivated)');
  }
  const tenant = await ctx.deps.db.transaction(async (tx) => {
    if (input.canPartnerManage === false && (await createUsersRepo(tx).lockAdmins(input.tenantId)).length === 0) {
      // Nobody could reach an unmanaged account without an admin of its own.
      throw badInput(
        `an unmanaged account needs its own admin: add one with addUserWithRole (roleName advertiser-admin-${input.tenantId}) first`,
      );
    }
    return createTenantsRepo(tx).update(ctx.access.visibleTenantIds, input.tenantId, {
      name,
      status: input.status ?? null,
      managed: input.canPartnerManage ?? null,
    });
  });
  if (!tenant) throw notFound(`account ${input.tenantId} not found`);
  if (input.status != null) ctx.deps.directory.invalidate();
  if (input.canPartnerManage != null) await refreshAccess(ctx);
  return { tenant };
}
