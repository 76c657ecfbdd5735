import type { ControlContext } from '../../../context.js';
import type { TenantParent } from '../common.js';
import { accountGraph } from './account-graph.js';
import { destinationView, loadPipelineView, pipelineView, sourceView } from './views.js';

// tenantQueries(tenantId) { pipeline(id) dataSourcesQuery dataDestinationsQuery } (Meta's
// Signals Gateway reads) and pipelines (our extension: Meta documents no list of pipelines, so an
// empty pipeline could not otherwise be found again): view level; another account's is not found.

export function pipeline(parent: TenantParent, args: { id: string }, ctx: ControlContext) {
  return loadPipelineView(ctx, parent.tenantId, args.id);
}

export async function dataSourcesQuery(parent: TenantParent, _args: unknown, ctx: ControlContext) {
  const g = await accountGraph(ctx, parent.tenantId);
  return g.sources.map((s) => sourceView(ctx, parent.tenantId, s));
}

export async function dataDestinationsQuery(parent: TenantParent, _args: unknown, ctx: ControlContext) {
  const g = await accountGraph(ctx, parent.tenantId);
  return g.destinations.map((d) => destinationView(ctx, parent.tenantId, d));
}

/** Extension: every pipeline of the account, optionally of one type, oldest first. */
export async function pipelines(
  parent: TenantParent,
  args: { type?: 'META_CAPI_PIPELINE' | 'GATEWAY_PIPELINE' | null },
  ctx: ControlContext,
) {
  const g = await accountGraph(ctx, parent.tenantId);
  return g.pipelines
    .filter((p) => !args.type || p.type === args.type)
    .map((p) => pipelineView(ctx, parent.tenantId, p));
}
