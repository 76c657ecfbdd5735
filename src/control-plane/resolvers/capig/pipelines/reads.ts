import type { ControlContext } from '../../../context.js';
import type { TenantParent } from '../common.js';
import { accountGraph } from './account-graph.js';
import { destinationView, loadPipelineView, sourceView } from './views.js';

// tenantQueries(tenantId) { pipeline(id) dataSourcesQuery dataDestinationsQuery } (Meta's
// Signals Gateway reads): view level; a pipeline of another account is not found.

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
