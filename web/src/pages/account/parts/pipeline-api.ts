import { ApiError } from '../../../api';
import { tenantMutation, tenantQuery } from './gql';

// The Signals Gateway objects the pipeline screens read and the mutations they send, as any API
// client would: dataSourcesQuery / dataDestinationsQuery / pipeline(id) and the *Mutations groups.

export type PipelineType = 'META_CAPI_PIPELINE' | 'GATEWAY_PIPELINE';
export type SourceType = 'META_PIXEL' | 'ADVERTISER_HOSTED_PIXEL' | 'FILE_UPLOAD' | 'ADVERTISER_HOSTED_SDK' | 'UNKNOWN';
export type DestinationType =
  | 'META_CONVERSIONS_API'
  | 'CUSTOM_HTTP_API'
  | 'AUDIENCE_STORAGE'
  | 'GOOGLE_BIGQUERY_API'
  | 'UNKNOWN';

export interface DataSource {
  id: string;
  name: string | null;
  type: SourceType | null;
  active: boolean | null;
}

export interface DestinationStats {
  queued: number | null;
  published: number | null;
  deadLettered: number | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  lastErrorAt: string | null;
}

export interface DataDestination {
  id: string;
  name: string | null;
  type: DestinationType | null;
  active: boolean | null;
  lane: string | null;
  metaCAPIConfig: { dataSetId: string | null } | null;
  httpConfig: { endpoint: string | null; httpMethod: string | null; authType: string | null } | null;
  stats: DestinationStats | null;
}

export interface DestinationFilter {
  destinationId: string | null;
  destinationFilterStatus: boolean | null;
  destinationFilterBlockedEventTypes: (string | null)[] | null;
}

export interface Pipeline {
  id: string;
  name: string | null;
  active: boolean | null;
  type: PipelineType | null;
  dataSources: (DataSource | null)[] | null;
  dataDestinations: (DataDestination | null)[] | null;
  dataFilter: { filterStatus: boolean | null; blockedEventTypes: (string | null)[] | null } | null;
  pipelineDestinationFilters: (DestinationFilter | null)[] | null;
}

const PIPELINE_FIELDS = `id name active type
  dataFilter { filterStatus blockedEventTypes }
  pipelineDestinationFilters { destinationId destinationFilterStatus destinationFilterBlockedEventTypes }
  dataSources { id name type active }
  dataDestinations { id name type active lane metaCAPIConfig { dataSetId }
    httpConfig { endpoint httpMethod authType }
    stats(timeWindowMin: $w) { queued published deadLettered lastErrorCode lastErrorMessage lastErrorAt } }`;

export const SOURCE_TYPES: Record<string, string> = {
  META_PIXEL: 'Meta pixel',
  ADVERTISER_HOSTED_PIXEL: 'Signals Gateway pixel',
  FILE_UPLOAD: 'File upload',
  ADVERTISER_HOSTED_SDK: 'App SDK',
};
export const DESTINATION_TYPES: Record<string, string> = {
  META_CONVERSIONS_API: 'Meta Conversions API',
  CUSTOM_HTTP_API: 'Custom HTTP',
  AUDIENCE_STORAGE: 'Audience storage',
  GOOGLE_BIGQUERY_API: 'Google BigQuery',
};

export const present = <T>(list: (T | null)[] | null | undefined): T[] =>
  (list ?? []).filter((x): x is T => x !== null);
export const blockedOf = (list: (string | null)[] | null | undefined): string[] => present(list);

// No query lists pipelines, so the list is every pipeline a source or destination belongs to, plus
// those this browser created that have neither yet (kept until the gateway no longer knows them).
const createdKey = (accountId: string) => `capig.createdPipelines.${accountId}`;
export function rememberCreated(accountId: string, id: string): void {
  const ids = new Set(readCreated(accountId));
  ids.add(id);
  localStorage.setItem(createdKey(accountId), JSON.stringify([...ids].slice(-50)));
}
function readCreated(accountId: string): string[] {
  try {
    const ids = JSON.parse(localStorage.getItem(createdKey(accountId)) ?? '[]') as unknown;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Every pipeline of the account, in full, by name. */
export async function loadPipelines(accountId: string, windowMin: number): Promise<Pipeline[]> {
  const listed = await tenantQuery<{
    dataSourcesQuery: ({ associatedPipelines: ({ id: string | null } | null)[] | null } | null)[] | null;
    dataDestinationsQuery: ({ associatedPipelines: ({ id: string | null } | null)[] | null } | null)[] | null;
  }>(
    accountId,
    '',
    'dataSourcesQuery { associatedPipelines { id } } dataDestinationsQuery { associatedPipelines { id } }',
  );
  const ids = new Set<string>();
  for (const owner of [...present(listed.dataSourcesQuery), ...present(listed.dataDestinationsQuery)]) {
    for (const p of present(owner.associatedPipelines)) if (p.id) ids.add(p.id);
  }
  const listedIds = [...ids];
  const data =
    listedIds.length === 0
      ? {}
      : await tenantQuery<Record<string, Pipeline | null>>(
          accountId,
          `$w: Int!, ${listedIds.map((_, i) => `$p${i}: ID!`).join(', ')}`,
          // One request: each pipeline under an alias of its own.
          listedIds.map((_, i) => `p${i}: pipeline(id: $p${i}) { ${PIPELINE_FIELDS} }`).join('\n'),
          { ...Object.fromEntries(listedIds.map((id, i) => [`p${i}`, id])), w: windowMin },
        );
  const out = listedIds.map((_, i) => data[`p${i}`]).filter((p): p is Pipeline => !!p);
  // Pipelines created here that have no source or destination yet, each asked for alone: one
  // deleted meanwhile is not found, and forgotten.
  const created = readCreated(accountId).filter((id) => !ids.has(id));
  const kept: string[] = [];
  for (const id of created) {
    try {
      const one = await tenantQuery<{ pipeline: Pipeline | null }>(
        accountId,
        '$w: Int!, $id: ID!',
        `pipeline(id: $id) { ${PIPELINE_FIELDS} }`,
        { id, w: windowMin },
      );
      if (one.pipeline) {
        out.push(one.pipeline);
        kept.push(id);
      }
    } catch (err) {
      // Not found: forgotten. Unreachable: asked again next time.
      if (err instanceof ApiError && err.status === 0) kept.push(id);
    }
  }
  if (kept.length !== created.length) localStorage.setItem(createdKey(accountId), JSON.stringify(kept));
  return out.sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
}

/** Runs one field of tenantMutations' dataPipelineMutations / dataSourceMutations / dataDestinationMutations. */
export async function pipelineMutation<T = unknown>(
  accountId: string,
  group: 'dataPipelineMutations' | 'dataSourceMutations' | 'dataDestinationMutations',
  varDefs: string,
  field: string,
  vars: Record<string, unknown>,
): Promise<T> {
  const data = await tenantMutation<Record<string, Record<string, T> | null>>(
    accountId,
    varDefs,
    `${group} { ${field} }`,
    vars,
  );
  const scoped = data[group];
  if (!scoped) throw new Error('The gateway did not answer this change.');
  const [key] = Object.keys(scoped);
  return scoped[key ?? ''] as T;
}

/** "Lead, Purchase" from a text field: names separated by commas, spaces or new lines. */
export function parseEventNames(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ];
}
