import { deleteSource, findSource } from '../../../../database/repos/data-sources-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';

// dataSourceMutations { deleteDataSource(id) } → the id (unlike signalMutations' deleteDataSource,
// which removes a pixel connection and answers true). The source leaves every pipeline; events sent
// to it afterwards are refused as from an unknown pixel. A Meta pixel's source is the pixel
// connection itself and is removed with it (deletePipeline or signalMutations.deleteDataSource).
export async function deletePipelineDataSource(parent: TenantParent, args: { id: string }, ctx: ControlContext) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const id = String(args.id);
  const scope = scopeOf(ctx, tenantId);
  const source = await findSource(ctx.deps.db, scope, id);
  if (!source) throw notFound(`data source ${id} not found in account ${tenantId}`);
  if (source.type === 'META_PIXEL') {
    throw badInput(
      `data source ${id} is a Meta pixel connection: remove it with deletePipeline (its Meta CAPI pipeline) ` +
        'or signalMutations.deleteDataSource',
    );
  }
  await deleteSource(ctx.deps.db, scope, id);
  await changed(ctx, tenantId, { sourceIds: [id] });
  ctx.deps.log.info({ tenantId, sourceId: id }, 'data source deleted');
  return id;
}
