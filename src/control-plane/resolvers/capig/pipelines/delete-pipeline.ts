import {
  deletePipeline as removePipeline,
  findPipeline,
  sourceIdsOfPipelines,
} from '../../../../database/repos/pipelines-repo.js';
import { deletePixel } from '../../../../database/repos/signal-configs-repo.js';
import type { ControlContext } from '../../../context.js';
import { notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';

// tenantMutations(tenantId) { dataPipelineMutations { deletePipeline(id) } } → the id. A Meta CAPI
// pipeline is a pixel connection: deleting it removes the connection as signalMutations'
// deleteDataSource does (its source, destination and queued events go with it). A gateway
// pipeline's sources and destinations stay (a source's tag may still be on a website); they are
// listed by dataSourcesQuery / dataDestinationsQuery and deleted on their own.
export async function deletePipeline(parent: TenantParent, args: { id: string }, ctx: ControlContext) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const scope = scopeOf(ctx, tenantId);
  const { db, log } = ctx.deps;
  const pipeline = await findPipeline(db, scope, args.id);
  if (!pipeline) throw notFound(`pipeline ${args.id} not found in account ${tenantId}`);

  if (pipeline.type === 'META_CAPI_PIPELINE' && pipeline.pixelId !== null) {
    const pixelId = pipeline.pixelId;
    const gone = await db.transaction((tx) => deletePixel(tx, scope, pixelId));
    await changed(ctx, tenantId, { sourceIds: [pixelId] });
    log.info(
      { tenantId, pipelineId: args.id, pixelId, queuedEventsDeleted: gone?.queued ?? 0 },
      'pixel connection removed',
    );
    return args.id;
  }
  const sourceIds = await sourceIdsOfPipelines(db, scope, [args.id]);
  if (!(await removePipeline(db, scope, args.id)))
    throw notFound(`pipeline ${args.id} not found in account ${tenantId}`);
  await changed(ctx, tenantId, { sourceIds });
  log.info({ tenantId, pipelineId: args.id }, 'pipeline deleted');
  return args.id;
}
