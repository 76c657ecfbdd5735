import type { ControlContext } from '../../context.js';
import { usageOf } from './tenant-fields.js';

// Query.tenantUsage(tenantId) (Meta: TenantUsageQuery): pixel counts and the last 24 hours.
export function tenantUsage(_p: unknown, args: { tenantId: string }, ctx: ControlContext) {
  return usageOf(ctx, args.tenantId);
}
