import { createTenantsRepo, type TenantRecord, USAGE_WINDOW_HOURS } from '../../../database/repos/tenants-repo.js';
import type { UserRecord } from '../../../database/repos/users-repo.js';
import { atLeast, type Level, roleName } from '../../access.js';
import type { ControlContext } from '../../context.js';
import { notFound } from '../../errors.js';
import type { RoleView } from './people.js';

// Fields of Tenant that are computed, relative to the caller. The UI flags are false for API
// accounts (they have no UI, as Meta's sample shows).

const LEVELS: Level[] = ['admin', 'manage', 'view'];

function uiLevel(ctx: ControlContext, tenantId: string, wanted: Level): boolean {
  return ctx.principal.kind === 'user' && atLeast(ctx.access.levelOf(tenantId), wanted);
}

export const tenantFields = {
  canPartnerManage: (t: TenantRecord) => t.managed,
  // The repo returns nobody for an account the caller cannot see.
  users: (t: TenantRecord, _a: unknown, ctx: ControlContext): Promise<UserRecord[]> =>
    ctx.loaders.usersOfTenant.load(t.id),
  availableRoles: (t: TenantRecord, _a: unknown, ctx: ControlContext): RoleView[] =>
    ctx.access.levelOf(t.id) === null
      ? []
      : LEVELS.map((level) => ({
          name: roleName({ scope: 'tenant', tenantId: t.id, level }),
          displayName: level,
          tenantName: t.name,
        })),
  canViewTenantInUI: (t: TenantRecord, _a: unknown, ctx: ControlContext) => uiLevel(ctx, t.id, 'view'),
  canEditTenantSettingsInUI: (t: TenantRecord, _a: unknown, ctx: ControlContext) => uiLevel(ctx, t.id, 'manage'),
  canEditTenantUsersInUI: (t: TenantRecord, _a: unknown, ctx: ControlContext) => uiLevel(ctx, t.id, 'admin'),
  tenantUsage: (t: TenantRecord, _a: unknown, ctx: ControlContext) => usageOf(ctx, t.id),
};

/**
 * TenantUsage of one account. Host admins (API accounts included) may read it for every account,
 * unmanaged ones too: Meta's partial integration has the partner poll it for billing. Pixel ids
 * are only shown to callers who can see the account.
 */
export async function usageOf(ctx: ControlContext, tenantId: string) {
  const billing = ctx.access.hostLevel === 'admin';
  const usage = await createTenantsRepo(ctx.deps.db).usage(billing ? null : ctx.access.visibleTenantIds, tenantId);
  if (!usage) throw notFound(`account ${tenantId} not found`);
  const { totalEventsReceived, totalPixelsWithTraffic, publishError, pixelIds, ...counts } = usage;
  return {
    ...counts,
    pixelIds: ctx.access.levelOf(tenantId) === null ? null : pixelIds,
    // Signals Gateway pipelines do not exist in this gateway.
    totalActivePipeline: 0,
    totalPipelines: 0,
    tenantUsageByTraffic: {
      totalEventsReceived,
      totalPixelsWithTraffic,
      publishError,
      durationInHours: USAGE_WINDOW_HOURS,
      lastUpdatedAt: new Date().toISOString(),
    },
  };
}
