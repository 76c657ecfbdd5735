// Meta's published documents for pixel management and event metrics, verbatim (seed 004 and
// capig-control-plane.md B.4, B.5, B.7). Only the ids in the variables are replaced, in the tests.

export const ADD_PIXEL = `mutation AddNewPixelModalMutation(
$tenantId: ID!
$input: PixelConnectionCreationInput!
) {
tenantMutations(tenantId: $tenantId) {
signalMutations {
setupPixelSignalConfig(input: $input) {
id
domains
connectionId
connectionStatus {
id
accessTokenAvailable
active
eventBridgeActive
publishingEnabled
apiErrorCode
pixelID
pixelName
lastPublished
totalEventsPublished
lastReceived
totalEventsReceived
}
}
}
}
}`;

export const DELETE_PIXEL = `mutation DeleteDataSourceModalMutation(
$id: ID!
$tenantId: ID!
) {
tenantMutations(tenantId: $tenantId) {
signalMutations {
deleteDataSource(id: $id)
}
}
}`;

export const LIST_PIXELS = `query ConnectionStatusCardQuery(
$tenantId: ID!
$timeWindow: Int
) {
tenantQueries(tenantId: $tenantId) {
account(timeWindowMin: $timeWindow) {
name
status
signalConfigs {
id
connectionId
dataSetType
domains
connectionStatus {
id
accessTokenAvailable
active
targetId
eventBridgeActive
publishingEnabled
apiErrorCode
badToken
pixelID
pixelName
lastPublished
totalEventsPublished
lastReceived
totalEventsReceived
}
}
}
}
}`;

export const RECEIVING = `mutation updateSignalConfigStatusMutation(
$id: ID!, $tenantId: ID!, $input: SignalConfigStatusInput!) {
tenantMutations(tenantId: $tenantId) {
signalMutations {
updateSignalConfigEventsStatus(id: $id, input: $input) {
success
connectionStatus {
id
connected
active
eventBridgeActive
publishingEnabled
}
}
}
}
}`;

export const PUBLISHING = `mutation updateSignalConfigCapiPublishMutation(
$id: ID!, $tenantId: ID!, $input: SignalConfigStatusInput!) {
tenantMutations(tenantId: $tenantId) {
signalMutations {
updateSignalConfigCapiPublish(id: $id, input: $input) {
success
connectionStatus {
id
active
eventBridgeActive
publishingEnabled
}
}
}
}
}`;

export const EVENT_FILTER = `mutation EventFilterStatusMutation($tenantId: ID!, $input: UpdateEventFilterInput!) {
tenantMutations(tenantId: $tenantId) {
updateEventFilter(input: $input) {
updatedFilter {
eventName
pixelId
filterState
}
}
}
}`;

export const DOMAIN_FILTER = `mutation useComitDomainFilterChangeMutation($tenantId: ID!, $input: UpdateDomainFilterInput!) {
tenantMutations(tenantId: $tenantId) {
updateDomainFilter(input: $input) {
updatedFilter {
id
domain
pixelId
filterState
}
}
}
}`;

// B.5 lists HomeViewQuery's selection; Meta publishes no variable block for it.
export const HOME_VIEW = `query HomeViewQuery($tenantId: ID!, $pixelIds: [String!], $timeWindowMin: Int) {
  tenantQueries(tenantId: $tenantId) {
    eventMetrics(pixelIds: $pixelIds, timeWindowMin: $timeWindowMin) {
      activity { name receivedCount publishedCount lastUpdated }
      incoming { eventNamesCount eventsCount }
      outgoing { eventNamesCount eventsCount publishSuccessRate }
      domainActivity { domainName receivedCount publishedCount }
    }
  }
}`;

// The "Schema" blocks of the same pages select more fields than their sample requests.
const FULL_STATUS = `connectionStatus {
id
accessTokenAvailable
active
connected
eventBridgeActive
publishingEnabled
apiErrorCode
pixelID
pixelName
lastPublished
totalEventsPublished
lastReceived
totalEventsReceived
}`;

export const ADD_PIXEL_SCHEMA = `mutation AddNewPixelModalMutation(
$tenantId: ID!
$input: PixelConnectionCreationInput!
) {
tenantMutations(tenantId: $tenantId) {
signalMutations {
setupPixelSignalConfig(input: $input) {
id
domains
connectionId
${FULL_STATUS}
}
}
}
}`;

export const RECEIVING_SCHEMA = `mutation updateSignalConfigStatusMutation(
$id: ID!, $tenantId: ID!, $input: SignalConfigStatusInput!) {
tenantMutations(tenantId: $tenantId) {
signalMutations {
updateSignalConfigEventsStatus(id: $id, input: $input) {
success
${FULL_STATUS}
}
}
}
}`;

export const PUBLISHING_SCHEMA = `mutation updateSignalConfigCapiPublishMutation(
$id: ID!, $tenantId: ID!, $input: SignalConfigStatusInput!) {
tenantMutations(tenantId: $tenantId) {
signalMutations {
updateSignalConfigCapiPublish(id: $id, input: $input) {
success
${FULL_STATUS}
}
}
}
}`;

export const EVENT_FILTER_SCHEMA = `mutation EventFilterStatusMutation($tenantId: ID!, $input: UpdateEventFilterInput!) {
tenantMutations(tenantId: $tenantId) {
updateEventFilter(input: $input) {
updatedFilter {
id
eventName
pixelId
filterState
}
}
}
}`;
