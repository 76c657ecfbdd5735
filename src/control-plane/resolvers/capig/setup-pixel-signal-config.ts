import { sourceIdHolder } from '../../../database/repos/data-sources-repo.js';
import { connectPixel, type PixelRecord, setOpenBridgeId } from '../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../context.js';
import { conflict } from '../../errors.js';
import { scopeOf, type TenantParent } from './common.js';
import { loadSignalConfig, type SignalConfigView } from './signal-config-view.js';
import { checkToken } from './token-check.js';
import * as valid from './validate.js';

// tenantMutations(tenantId) { signalMutations { setupPixelSignalConfig(input) } } (Meta's
// AddNewPixelModalMutation): checks the token with Meta, stores the pixel with its token sealed,
// with its Meta CAPI pipeline (docs/pipelines.md), and registers the gateway as the pixel's
// OpenBridge endpoint when that is switched on.

export interface PixelConnectionCreationInput {
  businessId: string;
  pixelId: string;
  accessToken: string;
  apiVersion?: string | null;
  externalId: string;
  name?: string | null;
}

export async function setupPixelSignalConfig(
  parent: TenantParent,
  args: { input: PixelConnectionCreationInput },
  ctx: ControlContext,
): Promise<SignalConfigView | null> {
  const { tenantId } = parent;
  const { pixelId } = await connectCheckedPixel(ctx, tenantId, args.input, { createOB: true });
  return loadSignalConfig(ctx, tenantId, pixelId);
}

/**
 * The work of setupPixelSignalConfig and createConversionApiGatewayPipeline: checks the input and
 * the token, stores the pixel and its Meta CAPI pipeline, registers OpenBridge when asked.
 */
export async function connectCheckedPixel(
  ctx: ControlContext,
  tenantId: string,
  input: PixelConnectionCreationInput & { pipelineName?: string | null },
  opts: { createOB: boolean },
): Promise<{ pixelId: string; pipelineId: string }> {
  ctx.access.require(tenantId, 'manage');
  const pixelId = valid.numericId(input.pixelId, 'pixelId');
  const businessId = valid.numericId(input.businessId, 'businessId');
  const token = valid.accessToken(input.accessToken);
  const requestedVersion = valid.apiVersion(input.apiVersion);
  const scope = scopeOf(ctx, tenantId);
  const { db, box, directory, log } = ctx.deps;

  ensureFree(await sourceIdHolder(db, scope, pixelId), pixelId, tenantId);
  const check = await checkToken(ctx, pixelId, token, requestedVersion);
  let pipelineId: string;
  try {
    ({ pipelineId } = await connectPixel(db, box, {
      pixelId,
      tenantId,
      // A name the person typed wins; otherwise Meta's name for the pixel.
      name: input.name?.trim() || check.name || '',
      businessId,
      externalId: input.externalId,
      accessToken: token,
      apiVersion: check.apiVersion,
      tokenVerified: check.verified,
      pipelineName: input.pipelineName?.trim() || null,
    }));
  } catch (err) {
    // Two requests for the same pixel at once: the second loses at a primary key.
    if ((err as { code?: string }).code === '23505') {
      ensureFree(await sourceIdHolder(db, scope, pixelId), pixelId, tenantId);
    }
    throw err;
  }
  directory.invalidate(pixelId);
  log.info({ tenantId, pixelId, pipelineId, tokenVerified: check.verified }, 'pixel connected');

  if (opts.createOB) {
    await registerOpenBridge(ctx, tenantId, { pixelId, businessId, token, apiVersion: check.apiVersion });
  }
  return { pixelId, pipelineId };
}

function ensureFree(holder: 'this' | 'other' | null, pixelId: string, tenantId: string): void {
  if (holder === 'this') {
    throw conflict(
      `pixel ${pixelId} is already connected to account ${tenantId}: use updateSignalConfigAccessToken to ` +
        'replace its token, or deleteDataSource first',
    );
  }
  if (holder === 'other') {
    throw conflict(`pixel ${pixelId} is already connected to another account on this gateway; remove it there first`);
  }
}

/**
 * Makes Meta's pixel send browser events to this gateway (capig-control-plane.md C.6). A failure
 * is logged and leaves eventBridgeActive false; the pixel itself stays connected.
 */
export async function registerOpenBridge(
  ctx: ControlContext,
  tenantId: string,
  p: Pick<PixelRecord, 'pixelId'> & { businessId: string; token: string; apiVersion: string | null },
): Promise<void> {
  const { graph, config, db, log } = ctx.deps;
  if (!config.registerOpenBridge) return;
  const answer = await graph.registerOpenBridge({
    businessId: p.businessId,
    pixelId: p.pixelId,
    accessToken: p.token,
    apiVersion: p.apiVersion ?? config.graph.apiVersion,
    endpoint: ctx.publicUrl,
  });
  if (answer.ok) {
    await setOpenBridgeId(db, scopeOf(ctx, tenantId), p.pixelId, answer.value.id);
    log.info({ tenantId, pixelId: p.pixelId, openbridgeId: answer.value.id }, 'OpenBridge registered');
    return;
  }
  const detail = answer.kind === 'rejected' ? { code: answer.code, subcode: answer.subcode } : {};
  log.warn(
    { tenantId, pixelId: p.pixelId, kind: answer.kind, ...detail, reason: answer.message },
    'OpenBridge registration failed: browser events will not be routed here by Meta until it succeeds',
  );
}
