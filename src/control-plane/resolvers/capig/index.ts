import type { ControlContext } from '../../context.js';
import type { Resolvers } from '../../graphql/executable-schema.js';
import { account, signalConfigs } from './account.js';
import { alertIncidents } from './alert-incidents.js';
import { alertSettings } from './alert-settings.js';
import { updateAlertSettings } from './update-alert-settings.js';
import { field, type TenantParent } from './common.js';
import { deadLetters } from './dead-letters.js';
import { deleteDataSource } from './delete-data-source.js';
import { eventMetrics } from './event-metrics.js';
import { eventTimeline } from './event-timeline.js';
import { domainFilters, eventFilters } from './filters.js';
import { liveEvents } from './live-events.js';
import { pipelineMutations, pipelineMutationTypes, pipelineQueries } from './pipelines/index.js';
import { replayDeadLetters } from './replay-dead-letters.js';
import { setupPixelSignalConfig } from './setup-pixel-signal-config.js';
import { updateDomainFilter, updateEventFilter } from './update-filter.js';
import { updateSignalConfigAccessToken } from './update-signal-config-access-token.js';
import { updateSignalConfigCapiPublish, updateSignalConfigEventsStatus } from './update-signal-config-status.js';

// Resolvers of /capig/graphql/, one file per operation beside this one. The tenant namespaces
// check that the caller can see the account (404 otherwise); each operation checks its level.
export type { TenantParent } from './common.js';

export const capigResolvers: Resolvers<ControlContext> = {
  Query: {
    tenantQueries: (_p, args: { tenantId: string }, ctx) => {
      ctx.access.require(args.tenantId, 'view');
      return { tenantId: args.tenantId } satisfies TenantParent;
    },
  },
  Mutation: {
    tenantMutations: (_p, args: { tenantId: string }, ctx) => {
      ctx.access.require(args.tenantId, 'view');
      return { tenantId: args.tenantId } satisfies TenantParent;
    },
  },
  TenantQueries: {
    account: field(account),
    eventMetrics: field(eventMetrics),
    eventFilters: field(eventFilters),
    domainFilters: field(domainFilters),
    eventTimeline: field(eventTimeline),
    liveEvents: field(liveEvents),
    deadLetters: field(deadLetters),
    alertSettings: field(alertSettings),
    alertIncidents: field(alertIncidents),
    ...pipelineQueries,
  },
  Account: {
    signalConfigs: field(signalConfigs),
  },
  CapigTenantMutations: {
    signalMutations: (parent) => parent,
    updateEventFilter: field(updateEventFilter),
    updateDomainFilter: field(updateDomainFilter),
    replayDeadLetters: field(replayDeadLetters),
    updateAlertSettings: field(updateAlertSettings),
    ...pipelineMutations,
  },
  SignalMutations: {
    setupPixelSignalConfig: field(setupPixelSignalConfig),
    deleteDataSource: field(deleteDataSource),
    updateSignalConfigEventsStatus: field(updateSignalConfigEventsStatus),
    updateSignalConfigCapiPublish: field(updateSignalConfigCapiPublish),
    updateSignalConfigAccessToken: field(updateSignalConfigAccessToken),
  },
  ...pipelineMutationTypes,
};
