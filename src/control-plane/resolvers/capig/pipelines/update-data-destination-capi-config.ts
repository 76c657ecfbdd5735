import { findDestination, setCapiConfig } from '../../../../database/repos/data-destinations-repo.js';
import { pipelineIdsOfDestination } from '../../../../database/repos/pipelines-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { checkToken } from '../token-check.js';
import * as valid from '../validate.js';
import { changed } from './account-graph.js';
import { hasDefaultMetaName, metaDatasetName } from './ids.js';

// dataDestinationMutations { updateDataDestinationCapiConfig(input) } → true: the dataset and
// system-user token a gateway pipeline's Meta destination sends with. The token is checked with
// Meta as setupPixelSignalConfig does (refused when Meta rejects it, stored unverified when the
// Graph API cannot be reached) and stored sealed. updateOB is accepted and has no effect: Meta-side
// routing (OpenBridge) belongs to pixel connections.

interface Input {
  id: string;
  metaDatasetId: string;
  accessToken: string;
  apiVersion: string;
  businessId: string;
  updateOB?: boolean | null;
}

export async function updateDataDestinationCapiConfig(
  parent: TenantParent,
  args: { input: Input },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const input = args.input;
  const id = String(input.id);
  const datasetId = valid.numericId(input.metaDatasetId, 'metaDatasetId');
  const businessId = valid.numericId(input.businessId, 'businessId');
  const token = valid.accessToken(input.accessToken);
  const requestedVersion = valid.apiVersion(input.apiVersion);
  const scope = scopeOf(ctx, tenantId);
  const { db, box, log } = ctx.deps;
  const destination = await findDestination(db, scope, id);
  if (!destination) throw notFound(`data destination ${id} not found in account ${tenantId}`);
  if (destination.pixelId !== null) {
    throw badInput(
      `data destination ${id} is pixel ${destination.pixelId}'s Conversions API: replace its token with ` +
        'signalMutations.updateSignalConfigAccessToken',
    );
  }
  if (destination.type !== 'META_CONVERSIONS_API') {
    throw badInput(`data destination ${id} is a ${destination.type} destination, not META_CONVERSIONS_API`);
  }
  const check = await checkToken(ctx, datasetId, token, requestedVersion);
  await setCapiConfig(db, scope, id, {
    datasetId,
    businessId,
    apiVersion: check.apiVersion,
    accessTokenEnc: box.seal(token),
    name: hasDefaultMetaName(destination.name) ? metaDatasetName(datasetId) : undefined,
  });
  await changed(ctx, tenantId, { pipelineIds: await pipelineIdsOfDestination(db, scope, id) });
  log.info({ tenantId, destinationId: id, datasetId, tokenVerified: check.verified }, 'Meta destination configured');
  return true;
}
