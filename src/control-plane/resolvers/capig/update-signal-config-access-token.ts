import { createAccountsRepo } from '../../../database/repos/accounts-repo.js';
import { findPixel, setTokenCheck } from '../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../context.js';
import { pixelNotFound, scopeOf, type TenantParent } from './common.js';
import { registerOpenBridge } from './setup-pixel-signal-config.js';
import { loadSignalConfig, type SignalConfigView } from './signal-config-view.js';
import { checkToken } from './token-check.js';
import * as valid from './validate.js';

// Extension: signalMutations { updateSignalConfigAccessToken(id, accessToken) } replaces a pixel's
// token after the same check as setupPixelSignalConfig. It clears badToken, so events held for a
// rejected token flow again; a pixel that never got its OpenBridge registration tries once more.
export async function updateSignalConfigAccessToken(
  parent: TenantParent,
  args: { id: string; accessToken: string },
  ctx: ControlContext,
): Promise<SignalConfigView | null> {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const token = valid.accessToken(args.accessToken);
  const scope = scopeOf(ctx, tenantId);
  const pixel = await findPixel(ctx.deps.db, scope, args.id);
  if (!pixel) throw pixelNotFound(tenantId, [args.id]);

  const check = await checkToken(ctx, pixel.pixelId, token, pixel.apiVersion);
  await ctx.deps.db.transaction(async (tx) => {
    await createAccountsRepo(tx, ctx.deps.box).replaceAccessToken(tenantId, pixel.pixelId, token);
    await setTokenCheck(tx, scope, pixel.pixelId, check);
  });
  ctx.deps.directory.invalidate(pixel.pixelId);
  ctx.deps.log.info({ tenantId, pixelId: pixel.pixelId, tokenVerified: check.verified }, 'access token replaced');

  if (pixel.openbridgeId === null && pixel.businessId !== null) {
    await registerOpenBridge(ctx, tenantId, {
      pixelId: pixel.pixelId,
      businessId: pixel.businessId,
      token,
      apiVersion: check.apiVersion,
    });
  }
  return loadSignalConfig(ctx, tenantId, pixel.pixelId);
}
