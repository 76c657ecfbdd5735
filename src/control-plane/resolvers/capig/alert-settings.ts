import { type AlertSettings, createAlertsRepo, DEFAULT_ALERT_SETTINGS } from '../../../database/repos/alerts-repo.js';
import type { ControlContext } from '../../context.js';
import type { TenantParent } from './common.js';

// tenantQueries { alertSettings } (extension): where the account's alerts go and when they fire,
// with the key its webhook requests are signed with. Manage level: the key and the addresses are
// not for viewers.

export async function alertSettings(parent: TenantParent, _args: unknown, ctx: ControlContext) {
  ctx.access.require(parent.tenantId, 'manage');
  const saved = await createAlertsRepo(ctx.deps.db).settings(parent.tenantId);
  return settingsView(ctx, parent.tenantId, saved ?? DEFAULT_ALERT_SETTINGS);
}

export function settingsView(ctx: ControlContext, tenantId: string, s: AlertSettings) {
  return { ...s, webhookSigningKey: ctx.deps.webhookSigningKey(tenantId) };
}
