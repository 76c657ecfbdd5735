import { findPixel } from '../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../context.js';
import { pixelNotFound, scopeOf, switchStatus, type TenantParent } from './common.js';
import { type ConnectionStatusView, loadSignalConfig } from './signal-config-view.js';

// signalMutations { updateSignalConfigEventsStatus(id, input) } (receiving on/off, Meta's
// updateSignalConfigStatusMutation) and { updateSignalConfigCapiPublish(id, input) } (publishing
// on/off, Meta's updateSignalConfigCapiPublishMutation). Ingest sees the change at once.

interface StatusArgs {
  id: string;
  input: { status: number };
}

interface StatusPayload {
  success: boolean;
  connectionStatus: ConnectionStatusView | null;
}

export function updateSignalConfigEventsStatus(parent: TenantParent, args: StatusArgs, ctx: ControlContext) {
  return setSwitch(parent.tenantId, args, ctx, 'receiving');
}

export function updateSignalConfigCapiPublish(parent: TenantParent, args: StatusArgs, ctx: ControlContext) {
  return setSwitch(parent.tenantId, args, ctx, 'publishing');
}

async function setSwitch(
  tenantId: string,
  args: StatusArgs,
  ctx: ControlContext,
  which: 'receiving' | 'publishing',
): Promise<StatusPayload> {
  ctx.access.require(tenantId, 'manage');
  const on = switchStatus(args.input.status);
  const pixel = await findPixel(ctx.deps.db, scopeOf(ctx, tenantId), args.id);
  if (!pixel) throw pixelNotFound(tenantId, [args.id]);
  await ctx.deps.accounts.setPixelSwitches(tenantId, pixel.pixelId, { [which]: on });
  ctx.deps.directory.invalidate(pixel.pixelId);
  ctx.deps.log.info({ tenantId, pixelId: pixel.pixelId, [which]: on }, 'pixel switch changed');
  const config = await loadSignalConfig(ctx, tenantId, pixel.pixelId);
  return { success: true, connectionStatus: config?.connectionStatus ?? null };
}
