import { findPipeline, setDestinationFilter, setPipelineFilter } from '../../../../database/repos/pipelines-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';
import { eventTypes } from './input.js';
import { destinationFilterView } from './views.js';

// dataPipelineMutations { updatePipelineFilter(input) } → DataFilter and
// { updatePipelineDestinationFilter(input) } → PipelineDestinationFilter: the event names a
// pipeline, or one destination of it, does not deliver. A list left out keeps the stored one.
// A Meta CAPI pipeline is a pixel connection, filtered by updateEventFilter as before.

interface PipelineFilterInput {
  pipelineId: string;
  filterStatus?: boolean | null;
  blockedEventTypes?: Array<string | null> | null;
}

export async function updatePipelineFilter(
  parent: TenantParent,
  args: { input: PipelineFilterInput },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const { pipelineId } = args.input;
  const blocked = eventTypes(args.input.blockedEventTypes, 'blockedEventTypes');
  await requireGatewayPipeline(ctx, tenantId, pipelineId);
  const stored = await setPipelineFilter(ctx.deps.db, scopeOf(ctx, tenantId), pipelineId, {
    status: args.input.filterStatus ?? null,
    blocked,
  });
  if (!stored) throw notFound(`pipeline ${pipelineId} not found in account ${tenantId}`);
  await changed(ctx, tenantId, { pipelineIds: [pipelineId] });
  ctx.deps.log.info({ tenantId, pipelineId, blocked: stored.blockedEventTypes.length }, 'pipeline filter updated');
  // Meta answers a status never set as false, even with a list (its sample does).
  return { filterStatus: stored.filterStatus ?? false, blockedEventTypes: stored.blockedEventTypes };
}

interface DestinationFilterInput {
  pipelineId: string;
  destinationId: string;
  destinationFilterBlockedEventTypes?: Array<string | null> | null;
  destinationFilterStatus?: boolean | null;
}

export async function updatePipelineDestinationFilter(
  parent: TenantParent,
  args: { input: DestinationFilterInput },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const { pipelineId, destinationId } = args.input;
  const blocked = eventTypes(args.input.destinationFilterBlockedEventTypes, 'destinationFilterBlockedEventTypes');
  // Meta's sample sends only the list and answers destinationFilterStatus: true.
  const status = args.input.destinationFilterStatus ?? (blocked !== null ? true : null);
  await requireGatewayPipeline(ctx, tenantId, pipelineId);
  const stored = await setDestinationFilter(
    ctx.deps.db,
    scopeOf(ctx, tenantId),
    { pipelineId, destinationId },
    { status, blocked },
  );
  if (!stored) {
    throw notFound(`destination ${destinationId} is not in pipeline ${pipelineId} of account ${tenantId}`);
  }
  await changed(ctx, tenantId, { pipelineIds: [pipelineId] });
  ctx.deps.log.info({ tenantId, pipelineId, destinationId }, 'destination filter updated');
  return destinationFilterView(stored);
}

async function requireGatewayPipeline(ctx: ControlContext, tenantId: string, pipelineId: string): Promise<void> {
  const p = await findPipeline(ctx.deps.db, scopeOf(ctx, tenantId), pipelineId);
  if (!p) throw notFound(`pipeline ${pipelineId} not found in account ${tenantId}`);
  if (p.type === 'META_CAPI_PIPELINE') {
    throw badInput(
      `pipeline ${pipelineId} is a Meta CAPI pipeline (the pixel connection ${p.pixelId}): filter its events ` +
        'with updateEventFilter',
    );
  }
}
