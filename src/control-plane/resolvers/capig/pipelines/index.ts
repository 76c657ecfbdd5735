import { field } from '../common.js';
import { createConversionApiGatewayPipeline } from './create-conversion-api-gateway-pipeline.js';
import { createDataDestination } from './create-data-destination.js';
import { createDataSourceForPipeline } from './create-data-source-for-pipeline.js';
import { createPipeline } from './create-pipeline.js';
import { deleteDataDestination } from './delete-data-destination.js';
import { deletePipeline } from './delete-pipeline.js';
import { deletePipelineDataSource } from './delete-pipeline-data-source.js';
import { fileUploads } from './file-uploads.js';
import { createGatewayPixelHeaderCode, updateGatewayPixelConfig } from './gateway-pixel.js';
import { deletePayloadTemplate, payloadTemplates, savePayloadTemplate } from './payload-templates.js';
import { privacySettings, updatePrivacySettings } from './privacy-settings.js';
import { dataDestinationsQuery, dataSourcesQuery, pipeline, pipelines } from './reads.js';
import { sendTestEvent } from './send-test-event.js';
import { updateDataDestination } from './update-data-destination.js';
import { updateDataDestinationCapiConfig } from './update-data-destination-capi-config.js';
import { updateDataDestinationHttpConfig } from './update-data-destination-http-config.js';
import { updateDataSource } from './update-data-source.js';
import { updatePipeline } from './update-pipeline.js';
import { updatePipelineDestinationFilter, updatePipelineFilter } from './update-pipeline-filters.js';

// The Signals Gateway part of /capig/graphql/ (capig-control-plane.md (a), B.6) and its
// extensions, merged into capigResolvers. The namespaces hand the tenant on; each operation checks
// its level (view to read, manage to write).

export const pipelineQueries = {
  pipeline: field(pipeline),
  pipelines: field(pipelines),
  dataSourcesQuery: field(dataSourcesQuery),
  dataDestinationsQuery: field(dataDestinationsQuery),
  payloadTemplates: field(payloadTemplates),
  privacySettings: field(privacySettings),
  fileUploads: field(fileUploads),
};

const namespace = field((parent: unknown) => parent);

export const pipelineMutations = {
  dataSourceMutations: namespace,
  dataPipelineMutations: namespace,
  dataDestinationMutations: namespace,
  updatePrivacySettings: field(updatePrivacySettings),
};

export const pipelineMutationTypes = {
  DataPipelineMutations: {
    createPipeline: field(createPipeline),
    createConversionApiGatewayPipeline: field(createConversionApiGatewayPipeline),
    updatePipeline: field(updatePipeline),
    deletePipeline: field(deletePipeline),
    updatePipelineFilter: field(updatePipelineFilter),
    updatePipelineDestinationFilter: field(updatePipelineDestinationFilter),
  },
  DataSourceMutations: {
    createDataSourceForPipeline: field(createDataSourceForPipeline),
    updateDataSource: field(updateDataSource),
    deleteDataSource: field(deletePipelineDataSource),
    createGatewayPixelHeaderCode: field(createGatewayPixelHeaderCode),
    updateGatewayPixelConfig: field(updateGatewayPixelConfig),
  },
  DataDestinationMutations: {
    createDataDestination: field(createDataDestination),
    updateDataDestination: field(updateDataDestination),
    deleteDataDestination: field(deleteDataDestination),
    updateDataDestinationCapiConfig: field(updateDataDestinationCapiConfig),
    updateDataDestinationHttpConfig: field(updateDataDestinationHttpConfig),
    sendTestEvent: field(sendTestEvent),
    savePayloadTemplate: field(savePayloadTemplate),
    deletePayloadTemplate: field(deletePayloadTemplate),
  },
};
