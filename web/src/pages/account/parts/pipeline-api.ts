import { tenantMutation, tenantQuery } from './gql';

// The Signals Gateway objects the pipeline screens read and the mutations they send, as any API
// client would: pipelines (an extension) / dataSourcesQuery / dataDestinationsQuery and the *Mutations groups.

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

const DESTINATION_FIELDS = `id name type active lane metaCAPIConfig { dataSetId }
  httpConfig { endpoint httpMethod authType }
  stats(timeWindowMin: $w) { queued published deadLettered lastErrorCode lastErrorMessage lastErrorAt }`;
// A pipeline's destinations by id only: their details come once from dataDestinationsQuery, which
// keeps the request well inside the gateway's query cost (lists inside lists are priced high).
const PIPELINE_FIELDS = `id name active type
  dataFilter { filterStatus blockedEventTypes }
  pipelineDestinationFilters { destinationId destinationFilterStatus destinationFilterBlockedEventTypes }
  dataSources { id name type active }
  dataDestinations { id }`;

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

/** Every pipeline of the account, in full, by name (the `pipelines` extension query). */
export async function loadPipelines(accountId: string, windowMin: number): Promise<Pipeline[]> {
  const data = await tenantQuery<{ pipelines: Pipeline[]; dataDestinationsQuery: (DataDestination | null)[] | null }>(
    accountId,
    '$w: Int!',
    `pipelines { ${PIPELINE_FIELDS} } dataDestinationsQuery { ${DESTINATION_FIELDS} }`,
    { w: windowMin },
  );
  const destinations = new Map(present(data.dataDestinationsQuery).map((d) => [d.id, d]));
  return data.pipelines
    .map((p) => ({
      ...p,
      dataDestinations: present(p.dataDestinations).map((d) => destinations.get(d.id) ?? d),
    }))
    .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
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
