import { insertPipeline } from '../../../../database/repos/pipelines-repo.js';
import type { ControlContext } from '../../../context.js';
import type { TenantParent } from '../common.js';
import { changed } from './account-graph.js';
import { defaultPipelineName, newPipelineId } from './ids.js';
import { optionalName } from './input.js';
import { loadPipelineView } from './views.js';

// tenantMutations(tenantId) { dataPipelineMutations { createPipeline(name) } }: a new Signals
// Gateway pipeline, active, without sources, destinations or filters (Meta's sample answer).
export async function createPipeline(parent: TenantParent, args: { name: string }, ctx: ControlContext) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const id = newPipelineId();
  const name = optionalName(args.name) ?? defaultPipelineName();
  await insertPipeline(ctx.deps.db, { id, tenantId, name, type: 'GATEWAY_PIPELINE' });
  await changed(ctx, tenantId, {});
  ctx.deps.log.info({ tenantId, pipelineId: id }, 'pipeline created');
  return loadPipelineView(ctx, tenantId, id);
}
