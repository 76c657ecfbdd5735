import { type DataDestinationType, insertDestination } from '../../../../database/repos/data-destinations-repo.js';
import { findPipeline, linkDestination } from '../../../../database/repos/pipelines-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';
import { defaultDestinationName, newDestinationId } from './ids.js';
import { oneOf, optionalName } from './input.js';
import { loadDestinationView } from './views.js';

// dataDestinationMutations { createDataDestination(input: {name, type, pipelineId}) }: a destination
// in a gateway pipeline, in its own lane. It delivers once configured (updateDataDestinationCapiConfig
// or updateDataDestinationHttpConfig); until then its events wait in its lane.

const CREATABLE = ['META_CONVERSIONS_API', 'CUSTOM_HTTP_API'] as const;

export async function createDataDestination(
  parent: TenantParent,
  args: { input: { name: string; type: DataDestinationType; pipelineId: string } },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const type = oneOf(args.input.type, CREATABLE, 'type');
  const scope = scopeOf(ctx, tenantId);
  const { db, log } = ctx.deps;
  const pipeline = await findPipeline(db, scope, args.input.pipelineId);
  if (!pipeline) throw notFound(`pipeline ${args.input.pipelineId} not found in account ${tenantId}`);
  if (pipeline.type === 'META_CAPI_PIPELINE') {
    throw badInput(
      `pipeline ${pipeline.id} is a Meta CAPI pipeline: its source (the pixel) and destination are fixed; ` +
        'create a Signals Gateway pipeline (createPipeline) for other destinations',
    );
  }
  const id = newDestinationId();
  const name = optionalName(args.input.name) ?? defaultDestinationName(type);
  await db.transaction(async (tx) => {
    await insertDestination(tx, { id, tenantId, name, type });
    await linkDestination(tx, pipeline.id, id);
  });
  await changed(ctx, tenantId, { pipelineIds: [pipeline.id] });
  log.info({ tenantId, destinationId: id, type, pipelineId: pipeline.id }, 'data destination created');
  return loadDestinationView(ctx, tenantId, id);
}
