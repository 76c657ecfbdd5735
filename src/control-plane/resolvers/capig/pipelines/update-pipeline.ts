import { findPipeline, updatePipeline as writePipeline } from '../../../../database/repos/pipelines-repo.js';
import type { ControlContext } from '../../../context.js';
import { notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';
import { newName } from './input.js';
import { loadPipelineView } from './views.js';

// tenantMutations(tenantId) { dataPipelineMutations { updatePipeline(input: {id, name, active}) } }:
// fields left out keep their value. An inactive pipeline delivers nothing; ingest sees it at once.
export async function updatePipeline(
  parent: TenantParent,
  args: { input: { id: string; name?: string | null; active?: boolean | null } },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const { id } = args.input;
  const name = newName(args.input.name);
  const active = args.input.active ?? null;
  const scope = scopeOf(ctx, tenantId);
  if (!(await findPipeline(ctx.deps.db, scope, id))) throw notFound(`pipeline ${id} not found in account ${tenantId}`);
  await writePipeline(ctx.deps.db, scope, id, { name, active });
  await changed(ctx, tenantId, { pipelineIds: [id] });
  ctx.deps.log.info({ tenantId, pipelineId: id, renamed: name !== null, active }, 'pipeline updated');
  return loadPipelineView(ctx, tenantId, id);
}
