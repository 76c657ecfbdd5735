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

/** Every pipeline of the account, in full, oldest id first within the two kinds. */
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
  const created = readCreated(accountId);
  for (const id of created) ids.add(id);
  const all = [...ids];
  if (all.length === 0) return [];
  // One request: each pipeline under an alias of its own.
  const defs = all.map((_, i) => `$p${i}: ID!`).join(', ');
  const fields = all.map((_, i) => `p${i}: pipeline(id: $p${i}) { ${PIPELINE_FIELDS} }`).join('\n');
  const vars = Object.fromEntries(all.map((id, i) => [`p${i}`, id]));
  const data = await tenantQuery<Record<string, Pipeline | null>>(accountId, `$w: Int!, ${defs}`, fields, {
    ...vars,
    w: windowMin,
  });
  const gone = created.filter((id) => !data[`p${all.indexOf(id)}`]);
  if (gone.length > 0) {
    localStorage.setItem(createdKey(accountId), JSON.stringify(created.filter((id) => !gone.includes(id))));
  }
  return all.map((_, i) => data[`p${i}`]).filter((p): p is Pipeline => !!p);
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
