import { accountSummary } from '../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { scopeOf, type TenantParent, windowMinutes } from './common.js';
import { loadSignalConfigs, type SignalConfigView } from './signal-config-view.js';

// tenantQueries(tenantId) { account(timeWindowMin) { name status signalConfigs { ... } } }
// (Meta's ConnectionStatusCardQuery). Counters cover the last timeWindowMin minutes (default 60).

export interface AccountParent {
  tenantId: string;
  minutes: number;
  name: string;
  status: number;
}

export async function account(
  parent: TenantParent,
  args: { timeWindowMin?: number | null },
  ctx: ControlContext,
): Promise<AccountParent> {
  const minutes = windowMinutes(args.timeWindowMin);
  const summary = await accountSummary(ctx.deps.db, scopeOf(ctx, parent.tenantId));
  if (!summary) throw notFound(`account ${parent.tenantId} not found`);
  return { tenantId: parent.tenantId, minutes, ...summary };
}

export function signalConfigs(parent: AccountParent, _args: unknown, ctx: ControlContext): Promise<SignalConfigView[]> {
  return loadSignalConfigs(ctx, parent.tenantId, parent.minutes);
}
