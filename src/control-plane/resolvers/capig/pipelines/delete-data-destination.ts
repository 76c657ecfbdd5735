import { deleteDestination, findDestination } from '../../../../database/repos/data-destinations-repo.js';
import { pipelineIdsOfDestination, sourceIdsOfPipelines } from '../../../../database/repos/pipelines-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';

// dataDestinationMutations { deleteDataDestination(id) } → the id. The destination leaves its
// pipelines, and the events still queued in its lane go with it (they have nowhere to go). Its
// dead letters and counts stay as history. A pixel connection's destination is removed with the
// connection (deletePipeline).
export async function deleteDataDestination(parent: TenantParent, args: { id: string }, ctx: ControlContext) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const id = String(args.id);
  const scope = scopeOf(ctx, tenantId);
  const { db, log } = ctx.deps;
  const destination = await findDestination(db, scope, id);
  if (!destination) throw notFound(`data destination ${id} not found in account ${tenantId}`);
  if (destination.pixelId !== null) {
    throw badInput(
      `data destination ${id} is pixel ${destination.pixelId}'s Conversions API: remove the pixel connection ` +
        'with deletePipeline or signalMutations.deleteDataSource',
    );
  }
  const sourceIds = await sourceIdsOfPipelines(db, scope, await pipelineIdsOfDestination(db, scope, id));
  await db.transaction((tx) => deleteDestination(tx, scope, id));
  await changed(ctx, tenantId, { sourceIds });
  log.info({ tenantId, destinationId: id }, 'data destination deleted with its queued events');
  return id;
}
