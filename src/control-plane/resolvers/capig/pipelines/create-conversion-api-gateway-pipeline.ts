import type { ControlContext } from '../../../context.js';
import type { TenantParent } from '../common.js';
import { connectCheckedPixel } from '../setup-pixel-signal-config.js';
import { loadPipelineView } from './views.js';

// tenantMutations(tenantId) { dataPipelineMutations { createConversionApiGatewayPipeline(...) } }
// ("Connect Meta Pixel"): the same work as setupPixelSignalConfig (token check, the pixel with its
// META_CAPI_PIPELINE, META_PIXEL source and Meta destination), answered as the Pipeline. createOB
// (default true) registers the gateway as the pixel's OpenBridge endpoint.

interface Args {
  pipelineName?: string | null;
  pixelId: string;
  businessId: string;
  accessToken: string;
  apiVersion?: string | null;
  externalId: string;
  createOB?: boolean | null;
}

export async function createConversionApiGatewayPipeline(parent: TenantParent, args: Args, ctx: ControlContext) {
  const { pipelineId } = await connectCheckedPixel(
    ctx,
    parent.tenantId,
    {
      pixelId: String(args.pixelId),
      businessId: args.businessId,
      accessToken: args.accessToken,
      apiVersion: args.apiVersion,
      externalId: args.externalId,
      pipelineName: args.pipelineName,
    },
    { createOB: args.createOB !== false },
  );
  return loadPipelineView(ctx, parent.tenantId, pipelineId);
}
