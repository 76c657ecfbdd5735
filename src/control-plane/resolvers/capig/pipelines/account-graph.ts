import { type DestinationRecord, listDestinations } from '../../../../database/repos/data-destinations-repo.js';
import { listSources, type SourceRecord } from '../../../../database/repos/data-sources-repo.js';
import {
  type DestinationLink,
  listLinks,
  listPipelines,
  type PipelineRecord,
  type SourceLink,
  sourceIdsOfPipelines,
} from '../../../../database/repos/pipelines-repo.js';
import type { ControlContext } from '../../../context.js';
import { scopeOf } from '../common.js';

// An account's pipelines, sources, destinations and links, read once per request (five queries)
// however many pipelines and nested fields a query selects. Writes forget it, so a mutation's
// answer shows what it wrote.

export interface AccountGraph {
  pipelines: PipelineRecord[];
  sources: SourceRecord[];
  destinations: DestinationRecord[];
  sourceLinks: SourceLink[];
  destinationLinks: DestinationLink[];
}

const loaded = new WeakMap<ControlContext, Map<string, Promise<AccountGraph>>>();

export function accountGraph(ctx: ControlContext, tenantId: string): Promise<AccountGraph> {
  let perTenant = loaded.get(ctx);
  if (!perTenant) {
    perTenant = new Map();
    loaded.set(ctx, perTenant);
  }
  let graph = perTenant.get(tenantId);
  if (!graph) {
    graph = load(ctx, tenantId);
    perTenant.set(tenantId, graph);
  }
  return graph;
}

async function load(ctx: ControlContext, tenantId: string): Promise<AccountGraph> {
  const { db } = ctx.deps;
  const scope = scopeOf(ctx, tenantId);
  const [pipelines, sources, destinations, links] = await Promise.all([
    listPipelines(db, scope),
    listSources(db, scope),
    listDestinations(db, scope),
    listLinks(db, scope),
  ]);
  return { pipelines, sources, destinations, sourceLinks: links.sources, destinationLinks: links.destinations };
}

/**
 * After a write: this request reads the account again, and ingest forgets the settings of the
 * sources whose routes may have changed (every source of `pipelineIds`, the `sourceIds`, or all
 * of the account's when `all`), on this instance at once and on others within a second.
 */
export async function changed(
  ctx: ControlContext,
  tenantId: string,
  what: { pipelineIds?: readonly string[]; sourceIds?: readonly string[]; all?: boolean },
): Promise<void> {
  loaded.get(ctx)?.delete(tenantId);
  const { directory, db } = ctx.deps;
  if (what.all) {
    directory.invalidate();
    return;
  }
  const ids = new Set(what.sourceIds ?? []);
  if (what.pipelineIds && what.pipelineIds.length > 0) {
    for (const id of await sourceIdsOfPipelines(db, scopeOf(ctx, tenantId), what.pipelineIds)) ids.add(id);
  }
  for (const id of ids) directory.invalidate(id);
}
