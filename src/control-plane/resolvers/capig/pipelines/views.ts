import { type DestinationRecord, laneCounts, laneOf } from '../../../../database/repos/data-destinations-repo.js';
import type { SourceRecord } from '../../../../database/repos/data-sources-repo.js';
import type { PipelineRecord } from '../../../../database/repos/pipelines-repo.js';
import { atLeast } from '../../../access.js';
import type { ControlContext } from '../../../context.js';
import { notFound } from '../../../errors.js';
import { scopeOf, windowMinutes } from '../common.js';
import { type AccountGraph, accountGraph } from './account-graph.js';
import { gatewayPixelConfigView } from './gateway-pixel-config-view.js';

// Pipeline, DataSource and DataDestination as Meta shapes them (capig-control-plane.md (a)),
// with our extensions. Nested lists come from the request's AccountGraph; fields that cost a query
// of their own (stats) or need the manage level (accessKey) are functions, run only when selected.

export interface PipelineBasicInfo {
  id: string;
  name: string;
  type: PipelineRecord['type'];
}

const basic = (p: PipelineRecord): PipelineBasicInfo => ({ id: p.id, name: p.name, type: p.type });

export function pipelineView(ctx: ControlContext, tenantId: string, p: PipelineRecord) {
  const graph = () => accountGraph(ctx, tenantId);
  return {
    id: p.id,
    name: p.name,
    active: p.active,
    type: p.type,
    dataSources: async () => {
      const g = await graph();
      const ids = new Set(g.sourceLinks.filter((l) => l.pipelineId === p.id).map((l) => l.sourceId));
      return g.sources.filter((s) => ids.has(s.id)).map((s) => sourceView(ctx, tenantId, s));
    },
    dataDestinations: async () => {
      const g = await graph();
      const ids = new Set(g.destinationLinks.filter((l) => l.pipelineId === p.id).map((l) => l.destinationId));
      return g.destinations.filter((d) => ids.has(d.id)).map((d) => destinationView(ctx, tenantId, d));
    },
    // Meta shows a filter never switched on as false (its sample does so even with a list).
    dataFilter: { filterStatus: p.filterStatus ?? false, blockedEventTypes: p.blockedEventTypes },
    pipelineDestinationFilters: async () => {
      const g = await graph();
      return g.destinationLinks.filter((l) => l.pipelineId === p.id).map(destinationFilterView);
    },
  };
}

export function destinationFilterView(l: {
  pipelineId: string;
  destinationId: string;
  filterStatus: boolean | null;
  blockedEventTypes: string[];
}) {
  return {
    id: `pipelineDestinationFilter:${l.pipelineId}:${l.destinationId}`,
    destinationId: l.destinationId,
    destinationFilterStatus: l.filterStatus ?? false,
    destinationFilterBlockedEventTypes: l.blockedEventTypes,
  };
}

function associatedPipelines(g: AccountGraph, ids: Set<string>): PipelineBasicInfo[] {
  return g.pipelines.filter((p) => ids.has(p.id)).map(basic);
}

export function sourceView(ctx: ControlContext, tenantId: string, s: SourceRecord) {
  return {
    id: s.id,
    name: s.name,
    type: s.type,
    active: s.active,
    associatedPipelines: async () => {
      const g = await accountGraph(ctx, tenantId);
      return associatedPipelines(g, new Set(g.sourceLinks.filter((l) => l.sourceId === s.id).map((l) => l.pipelineId)));
    },
    // Opened only when selected, and only for callers who may manage the account.
    accessKey: () =>
      s.accessKeyEnc !== null && atLeast(ctx.access.levelOf(tenantId), 'manage')
        ? ctx.deps.box.open(s.accessKeyEnc)
        : null,
    gatewayPixelConfig: s.type === 'ADVERTISER_HOSTED_PIXEL' ? gatewayPixelConfigView(s) : null,
  };
}

export function destinationView(ctx: ControlContext, tenantId: string, d: DestinationRecord) {
  const lane = laneOf(d);
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    active: d.active,
    associatedPipelines: async () => {
      const g = await accountGraph(ctx, tenantId);
      const ids = new Set(g.destinationLinks.filter((l) => l.destinationId === d.id).map((l) => l.pipelineId));
      return associatedPipelines(g, ids);
    },
    metaCAPIConfig: d.type === 'META_CONVERSIONS_API' ? { dataSetId: d.datasetId } : null,
    httpConfig: d.type === 'CUSTOM_HTTP_API' ? httpConfigView(d) : null,
    lane,
    stats: async (args: { timeWindowMin?: number | null }) => {
      const counts = await laneCounts(ctx.deps.db, scopeOf(ctx, tenantId), lane, windowMinutes(args.timeWindowMin));
      return {
        ...counts,
        lastErrorCode: d.lastErrorCode,
        lastErrorMessage: d.lastErrorMessage,
        lastErrorAt: d.lastErrorAt ? new Date(d.lastErrorAt).toISOString() : null,
      };
    },
  };
}

/** The stored settings without secrets: only whether there are any. */
function httpConfigView(d: DestinationRecord) {
  const c = d.httpConfig ?? {};
  const pick = (k: string) => (c[k] === undefined ? null : c[k]);
  return {
    endpoint: pick('endpoint'),
    httpMethod: pick('httpMethod'),
    authType: pick('authType'),
    payloadSchema: pick('payloadSchema'),
    apiKeyName: pick('apiKeyName'),
    apiKeyAddTo: pick('apiKeyAddTo'),
    clientId: pick('clientId'),
    authEndpoint: pick('authEndpoint'),
    authHttpMethod: pick('authHttpMethod'),
    serviceUserAccount: pick('serviceUserAccount'),
    timeoutMs: pick('timeoutMs'),
    hasSecrets: d.hasSecrets,
  };
}

/** A pipeline of the account as Meta's Pipeline, or a 404. */
export async function loadPipelineView(ctx: ControlContext, tenantId: string, id: string) {
  const p = (await accountGraph(ctx, tenantId)).pipelines.find((x) => x.id === id);
  if (!p) throw notFound(`pipeline ${id} not found in account ${tenantId}`);
  return pipelineView(ctx, tenantId, p);
}

export async function loadSourceView(ctx: ControlContext, tenantId: string, id: string) {
  const s = (await accountGraph(ctx, tenantId)).sources.find((x) => x.id === id);
  if (!s) throw notFound(`data source ${id} not found in account ${tenantId}`);
  return sourceView(ctx, tenantId, s);
}

export async function loadDestinationView(ctx: ControlContext, tenantId: string, id: string) {
  const d = (await accountGraph(ctx, tenantId)).destinations.find((x) => x.id === id);
  if (!d) throw notFound(`data destination ${id} not found in account ${tenantId}`);
  return destinationView(ctx, tenantId, d);
}
