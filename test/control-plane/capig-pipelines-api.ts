import assert from 'node:assert/strict';
import type { CapigTest, GqlAnswer } from './capig-api.js';

// Signals Gateway documents as Meta's docs write them (capig-control-plane.md (a), B.6): variables
// declared String where the schema says ID (and the reverse), as Meta's own samples do, which the
// server accepts (lenient-variables.ts).

export const PIPELINE_FIELDS = `id name active type
  dataSources { id name type active associatedPipelines { id name type } }
  dataDestinations { id name type active metaCAPIConfig { dataSetId } associatedPipelines { id name type } }
  dataFilter { filterStatus blockedEventTypes }
  pipelineDestinationFilters { id destinationId destinationFilterStatus destinationFilterBlockedEventTypes }`;

export const CREATE_PIPELINE = `mutation CreatePipeline($tenantId: String!, $name: String!) {
  tenantMutations(tenantId: $tenantId) { dataPipelineMutations { createPipeline(name: $name) { ${PIPELINE_FIELDS} } } } }`;

export const CREATE_CAPIG_PIPELINE = `mutation CreateCapigPipeline($tenantId: ID!, $pipelineName: String, $pixelId: String!,
  $businessId: String!, $accessToken: String!, $apiVersion: String, $externalId: String!, $createOB: Boolean) {
  tenantMutations(tenantId: $tenantId) { dataPipelineMutations { createConversionApiGatewayPipeline(
    pipelineName: $pipelineName, pixelId: $pixelId, businessId: $businessId, accessToken: $accessToken,
    apiVersion: $apiVersion, externalId: $externalId, createOB: $createOB) { ${PIPELINE_FIELDS} } } } }`;

export const GET_PIPELINE = `query GetPipeline($tenantId: String!, $id: String!) {
  tenantQueries(tenantId: $tenantId) { pipeline(id: $id) { ${PIPELINE_FIELDS} } } }`;

export const UPDATE_PIPELINE = `mutation UpdatePipeline($tenantId: ID!, $input: PipelineInput!) {
  tenantMutations(tenantId: $tenantId) { dataPipelineMutations { updatePipeline(input: $input) { id name active type } } } }`;

export const DELETE_PIPELINE = `mutation DeletePipeline($tenantId: ID!, $id: String!) {
  tenantMutations(tenantId: $tenantId) { dataPipelineMutations { deletePipeline(id: $id) } } }`;

export const UPDATE_PIPELINE_FILTER = `mutation UpdatePipelineFilter($tenantId: ID!, $input: PipelineFilterInput!) {
  tenantMutations(tenantId: $tenantId) { dataPipelineMutations { updatePipelineFilter(input: $input) {
    filterStatus blockedEventTypes } } } }`;

export const UPDATE_DESTINATION_FILTER = `mutation UpdatePipelineDestinationFilter($tenantId: ID!,
  $input: PipelineDestinationFilterInput!) { tenantMutations(tenantId: $tenantId) { dataPipelineMutations {
  updatePipelineDestinationFilter(input: $input) { id destinationId destinationFilterStatus
    destinationFilterBlockedEventTypes } } } }`;

export const SOURCE_FIELDS = 'id name type active associatedPipelines { id name type }';

export const CREATE_SOURCE = `mutation CreateDataSourceForPipeline($tenantId: ID!, $dataSourceId: String, $name: String!,
  $dataSourceType: DataSourceType!, $pipelineId: String!) { tenantMutations(tenantId: $tenantId) {
  dataSourceMutations { createDataSourceForPipeline(dataSourceId: $dataSourceId, name: $name,
    dataSourceType: $dataSourceType, pipelineId: $pipelineId) { ${SOURCE_FIELDS} } } } }`;

export const DATA_SOURCES = `query DataSources($tenantId: ID!) { tenantQueries(tenantId: $tenantId) {
  dataSourcesQuery { ${SOURCE_FIELDS} accessKey } } }`;

export const UPDATE_SOURCE = `mutation UpdateDataSource($tenantId: ID!, $input: DataSourceInput!) {
  tenantMutations(tenantId: $tenantId) { dataSourceMutations { updateDataSource(input: $input) { ${SOURCE_FIELDS} } } } }`;

export const DELETE_SOURCE = `mutation DeleteDataSource($tenantId: ID!, $id: ID!) {
  tenantMutations(tenantId: $tenantId) { dataSourceMutations { deleteDataSource(id: $id) } } }`;

export const HEADER_CODE = `mutation CreateGatewayPixelHeaderCode($tenantId: ID!, $dataSourceId: ID!) {
  tenantMutations(tenantId: $tenantId) { dataSourceMutations { createGatewayPixelHeaderCode(dataSourceId: $dataSourceId) } } }`;

export const PIXEL_CONFIG = `mutation UpdateGatewayPixelConfig($tenantId: ID!, $pixelId: String!,
  $config: GatewayPixelConfigurationInput) { tenantMutations(tenantId: $tenantId) { dataSourceMutations {
  updateGatewayPixelConfig(pixelId: $pixelId, config: $config) { id name enabledStatus plugins aamFields
    enableContactDataHash customIntegrityScript estRuleGroups { _unknown } iwlParameters { _unknown }
    creationSourcePlatform creationSourceId } } } }`;

export const DESTINATION_FIELDS = `id name type active lane associatedPipelines { id name type } metaCAPIConfig { dataSetId }
  httpConfig { endpoint httpMethod authType payloadSchema apiKeyName apiKeyAddTo clientId authEndpoint authHttpMethod
    serviceUserAccount timeoutMs hasSecrets }`;

export const CREATE_DESTINATION = `mutation CreateDataDestination($tenantId: ID!, $input: CreateDataDestinationInput!) {
  tenantMutations(tenantId: $tenantId) { dataDestinationMutations { createDataDestination(input: $input) {
    ${DESTINATION_FIELDS} } } } }`;

export const DATA_DESTINATIONS = `query DataDestinations($tenantId: ID!) { tenantQueries(tenantId: $tenantId) {
  dataDestinationsQuery { ${DESTINATION_FIELDS} } } }`;

export const UPDATE_DESTINATION = `mutation UpdateDataDestination($tenantId: ID!, $input: DataDestinationInput!) {
  tenantMutations(tenantId: $tenantId) { dataDestinationMutations { updateDataDestination(input: $input) {
    ${DESTINATION_FIELDS} } } } }`;

export const DELETE_DESTINATION = `mutation DeleteDataDestination($tenantId: ID!, $id: String!) {
  tenantMutations(tenantId: $tenantId) { dataDestinationMutations { deleteDataDestination(id: $id) } } }`;

export const CAPI_CONFIG = `mutation UpdateDataDestinationCapiConfig($tenantId: ID!,
  $input: UpdateDataDestinationCapiConfigInput!) { tenantMutations(tenantId: $tenantId) {
  dataDestinationMutations { updateDataDestinationCapiConfig(input: $input) } } }`;

export const HTTP_CONFIG = `mutation UpdateDataDestinationHttpConfig($tenantId: ID!,
  $input: UpdateDataDestinationHttpConfigInput!) { tenantMutations(tenantId: $tenantId) {
  dataDestinationMutations { updateDataDestinationHttpConfig(input: $input) } } }`;

export const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const PIPELINE_ID = new RegExp(`^sg_v1_pl_${UUID}$`);
export const DESTINATION_ID = new RegExp(`^sg_v1_dd_${UUID}$`);
export const SOURCE_ID = /^[1-9]\d{18}$/;

/** The data of an answer that must have no errors. */
export function ok(answer: GqlAnswer): any {
  assert.equal(answer.status, 200);
  assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
  return answer.body.data;
}

/** The one error of an answer: its code and message. */
export function failure(answer: GqlAnswer): { code: number | undefined; message: string } {
  assert.equal(answer.body.errors?.length, 1, JSON.stringify(answer.body));
  const [e] = answer.body.errors ?? [];
  return { code: e?.extensions?.code, message: e?.message ?? '' };
}

/** A new gateway pipeline of the account; returns its id. */
export async function newPipeline(t: CapigTest, tenantId: string, name = 'Web and CRM'): Promise<string> {
  return ok(await t.gql(CREATE_PIPELINE, { tenantId, name })).tenantMutations.dataPipelineMutations.createPipeline.id;
}

/** A new source in a pipeline; returns its id. */
export async function newSource(
  t: CapigTest,
  tenantId: string,
  pipelineId: string,
  dataSourceType = 'ADVERTISER_HOSTED_PIXEL',
): Promise<string> {
  const data = ok(await t.gql(CREATE_SOURCE, { tenantId, name: '', dataSourceType, pipelineId }));
  return data.tenantMutations.dataSourceMutations.createDataSourceForPipeline.id;
}

/** A new destination in a pipeline; returns it as created. */
export async function newDestination(
  t: CapigTest,
  tenantId: string,
  pipelineId: string,
  type = 'CUSTOM_HTTP_API',
  name = '',
): Promise<any> {
  const data = ok(await t.gql(CREATE_DESTINATION, { tenantId, input: { name, type, pipelineId } }));
  return data.tenantMutations.dataDestinationMutations.createDataDestination;
}

/** A gateway pipeline with one Signals Gateway pixel source: the ids and the source's server-events key. */
export async function newGatewayPipeline(
  t: CapigTest,
  tenantId: string,
  name = 'Site',
): Promise<{ pipelineId: string; sourceId: string; accessKey: string }> {
  const pipelineId = await newPipeline(t, tenantId, name);
  const sourceId = await newSource(t, tenantId, pipelineId);
  const sources = ok(await t.gql(DATA_SOURCES, { tenantId })).tenantQueries.dataSourcesQuery;
  const accessKey = sources.find((s: { id: string }) => s.id === sourceId)?.accessKey;
  return { pipelineId, sourceId, accessKey };
}

/** A custom HTTP destination of the pipeline, saved with `settings` (POST, no auth unless given). */
export async function newHttpDestination(
  t: CapigTest,
  tenantId: string,
  pipelineId: string,
  name: string,
  settings: Record<string, unknown>,
): Promise<{ id: string; lane: string }> {
  const { id, lane } = await newDestination(t, tenantId, pipelineId, 'CUSTOM_HTTP_API', name);
  const input = { id, httpMethod: 'POST', authType: 'NONE', ...settings };
  const saved = ok(await t.gql(HTTP_CONFIG, { tenantId, input }));
  assert.equal(saved.tenantMutations.dataDestinationMutations.updateDataDestinationHttpConfig, true);
  return { id, lane };
}

/** A Meta Conversions API destination of the pipeline, sending to `datasetId` with a test token. */
export async function newMetaDestination(
  t: CapigTest,
  tenantId: string,
  pipelineId: string,
  datasetId: string,
  name = 'Meta',
): Promise<{ id: string; lane: string }> {
  const { id, lane } = await newDestination(t, tenantId, pipelineId, 'META_CONVERSIONS_API', name);
  const input = { id, metaDatasetId: datasetId, accessToken: 'EAAshop', apiVersion: 'v21.0', businessId: '1234' };
  assert.equal(
    ok(await t.gql(CAPI_CONFIG, { tenantId, input })).tenantMutations.dataDestinationMutations
      .updateDataDestinationCapiConfig,
    true,
  );
  return { id, lane };
}
