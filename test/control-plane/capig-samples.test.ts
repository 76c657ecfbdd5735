import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverEvent, waitFor } from '../harness.js';
import { type CapigTest, newPixelId, startCapigTest } from './capig-api.js';
import {
  ADD_PIXEL,
  ADD_PIXEL_SCHEMA,
  DELETE_PIXEL,
  DOMAIN_FILTER,
  EVENT_FILTER,
  EVENT_FILTER_SCHEMA,
  HOME_VIEW,
  LIST_PIXELS,
  PUBLISHING,
  PUBLISHING_SCHEMA,
  RECEIVING,
  RECEIVING_SCHEMA,
} from './capig-sample-documents.js';

// Meta's published documents for pixel management and event metrics (seed 004, and
// capig-control-plane.md B.4, B.5, B.7), sent verbatim with only the ids replaced. Answers are
// checked against the shapes of Meta's sample responses, and values where they are determined.

/** Same keys, and each value of the sample's type (a sample null allows a string or null). */
function assertShape(actual: unknown, sample: unknown, path = '$'): void {
  if (sample === null) {
    assert.ok(actual === null || typeof actual === 'string', `${path}: expected string or null`);
  } else if (Array.isArray(sample)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    if (sample.length > 0) for (const [i, a] of actual.entries()) assertShape(a, sample[0], `${path}[${i}]`);
  } else if (typeof sample === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(sample).sort(), `${path}: keys`);
    for (const k of Object.keys(sample)) assertShape((actual as any)[k], (sample as any)[k], `${path}.${k}`);
  } else {
    assert.equal(typeof actual, typeof sample, `${path}: type`);
  }
}

describe("capig: Meta's sample documents, verbatim", () => {
  let t: CapigTest;
  let tenantId: string;
  let pixelId: string;
  before(async () => {
    t = await startCapigTest();
    tenantId = await t.newAccount({ name: 'Tenant for test@meta.com' });
    pixelId = newPixelId();
  });
  after(() => t.stop());

  test('AddNewPixelModalMutation', async () => {
    const res = await t.gql(ADD_PIXEL, {
      tenantId,
      input: {
        pixelId,
        businessId: '2840127409433732',
        accessToken: '<accessToken>',
        apiVersion: 'v14.0',
        externalId: '633612748410ba6e902',
      },
    });
    assert.equal(res.status, 200);
    const sample = {
      id: `SignalConfig:${pixelId}`,
      domains: [],
      connectionId: pixelId,
      connectionStatus: {
        id: `ConnectionStatus:${pixelId}`,
        accessTokenAvailable: true,
        active: true,
        eventBridgeActive: true,
        publishingEnabled: true,
        apiErrorCode: null,
        pixelID: pixelId,
        pixelName: null,
        lastPublished: 0.0,
        totalEventsPublished: 0.0,
        lastReceived: 0.0,
        totalEventsReceived: 0.0,
      },
    };
    const config = res.body.data.tenantMutations.signalMutations.setupPixelSignalConfig;
    assertShape(res.body, { data: { tenantMutations: { signalMutations: { setupPixelSignalConfig: sample } } } });
    // Meta's sample has no name; ours comes from Meta's answer to the token check.
    assert.deepEqual(config, {
      ...sample,
      connectionStatus: { ...sample.connectionStatus, pixelName: `Fake Pixel ${pixelId}` },
    });
  });

  test('ConnectionStatusCardQuery', async () => {
    const res = await t.gql(LIST_PIXELS, { tenantId, timeWindow: 60 });
    const status = {
      id: `ConnectionStatus:${pixelId}`,
      accessTokenAvailable: true,
      active: true,
      eventBridgeActive: true,
      publishingEnabled: true,
      apiErrorCode: null,
      badToken: false,
      targetId: '',
      pixelID: pixelId,
      pixelName: '',
      lastPublished: 0.0,
      totalEventsPublished: 0.0,
      lastReceived: 0.0,
      totalEventsReceived: 0.0,
    };
    const sample = {
      data: {
        tenantQueries: {
          account: {
            signalConfigs: [
              {
                connectionStatus: status,
                id: `SignalConfig:${pixelId}`,
                dataSetType: 'PIXEL',
                connectionId: '',
                domains: [],
              },
            ],
            name: 'Tenant for test@meta.com',
            status: 0,
          },
        },
      },
    };
    assertShape(res.body, sample);
    const [config] = res.body.data.tenantQueries.account.signalConfigs;
    assert.deepEqual(config.connectionStatus, { ...status, pixelName: `Fake Pixel ${pixelId}` });
    assert.equal(res.body.data.tenantQueries.account.name, 'Tenant for test@meta.com');
  });

  test('ConnectionStatusCardQuery with $tenantId declared String! (as Meta’s other samples do)', async () => {
    const res = await t.gql(LIST_PIXELS.replace('$tenantId: ID!', '$tenantId: String!'), { tenantId, timeWindow: 60 });
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    assert.equal(res.body.data.tenantQueries.account.signalConfigs.length, 1);
  });

  test('updateSignalConfigStatusMutation', async () => {
    const res = await t.gql(RECEIVING, { id: pixelId, tenantId, input: { status: 1 } });
    assert.deepEqual(res.body, {
      data: {
        tenantMutations: {
          signalMutations: {
            updateSignalConfigEventsStatus: {
              success: true,
              connectionStatus: {
                id: `ConnectionStatus:${pixelId}`,
                connected: true,
                active: true,
                eventBridgeActive: true,
                publishingEnabled: true,
              },
            },
          },
        },
      },
    });
  });

  test('updateSignalConfigCapiPublishMutation', async () => {
    const res = await t.gql(PUBLISHING, { id: pixelId, tenantId, input: { status: 0 } });
    // Meta's sample also shows active:false; here active is the receiving switch, which is still on.
    assert.deepEqual(res.body, {
      data: {
        tenantMutations: {
          signalMutations: {
            updateSignalConfigCapiPublish: {
              success: true,
              connectionStatus: {
                id: `ConnectionStatus:${pixelId}`,
                active: true,
                eventBridgeActive: true,
                publishingEnabled: false,
              },
            },
          },
        },
      },
    });
  });

  test('HomeViewQuery: events received with publishing off, as in Meta’s sample answer', async () => {
    const px = (await t.gql(LIST_PIXELS.replace('pixelName', 'pixelName accessKey'), { tenantId })).body.data
      .tenantQueries.account.signalConfigs[0].connectionStatus;
    const data = Array.from({ length: 4 }, () => serverEvent({ event_name: 'Purchase_PN_Mar22_Events' }));
    assert.equal((await t.gw.postServer(pixelId, { data }, px.accessKey)).status, 200);
    const res = await t.gql(HOME_VIEW, { tenantId, pixelIds: [pixelId], timeWindowMin: 60 });
    const m = res.body.data.tenantQueries.eventMetrics;
    assert.deepEqual(m.incoming, { eventNamesCount: 1, eventsCount: 4 });
    assert.deepEqual(m.outgoing, { eventNamesCount: 0, eventsCount: 0, publishSuccessRate: 0.0 });
    assert.equal(m.activity.length, 1);
    assert.deepEqual(
      { ...m.activity[0], lastUpdated: '1678753252000' },
      { name: 'Purchase_PN_Mar22_Events', receivedCount: 4, publishedCount: 0, lastUpdated: '1678753252000' },
    );
    assert.match(m.activity[0].lastUpdated, /^\d{13}$/);
    assert.deepEqual(m.domainActivity, [{ domainName: 'shop.example.com', receivedCount: 4, publishedCount: 0 }]);
    await waitFor(async () => (await t.gw.gateway.queue.depth(pixelId)) === 0, 'nothing queued');
  });

  test('EventFilterStatusMutation', async () => {
    const res = await t.gql(EVENT_FILTER, {
      tenantId,
      input: { eventName: 'AddToCart', pixelIds: [pixelId], filterState: 'PUBLISH' },
    });
    assert.deepEqual(res.body, {
      data: {
        tenantMutations: {
          updateEventFilter: { updatedFilter: { eventName: 'AddToCart', pixelId, filterState: 'PUBLISH' } },
        },
      },
    });
  });

  test('useComitDomainFilterChangeMutation', async () => {
    const res = await t.gql(DOMAIN_FILTER, { tenantId, input: { domain: 'example.com', filterState: 'DROP' } });
    assert.deepEqual(res.body, {
      data: {
        tenantMutations: {
          updateDomainFilter: {
            updatedFilter: {
              id: 'DomainFilter:example.com:global',
              domain: 'example.com',
              pixelId: null,
              filterState: 'DROP',
            },
          },
        },
      },
    });
  });

  test('DeleteDataSourceModalMutation, also with $id declared String!', async () => {
    const res = await t.gql(DELETE_PIXEL, { id: pixelId, tenantId });
    assert.deepEqual(res.body, { data: { tenantMutations: { signalMutations: { deleteDataSource: true } } } });
    const other = await t.connectPixel(tenantId);
    const lenient = await t.gql(DELETE_PIXEL.replace('$id: ID!', '$id: String!'), { id: other.pixelId, tenantId });
    assert.deepEqual(lenient.body, { data: { tenantMutations: { signalMutations: { deleteDataSource: true } } } });
  });

  test("the documents of the pages' Schema blocks (more fields selected) work too", async () => {
    const tenantId2 = await t.newAccount();
    const id = newPixelId();
    const input = {
      pixelId: id,
      businessId: '2840127409433732',
      accessToken: 'EAAb',
      apiVersion: 'v14.0',
      externalId: '',
    };
    const added = await t.gql(ADD_PIXEL_SCHEMA, { tenantId: tenantId2, input });
    assert.equal(added.body.errors, undefined, JSON.stringify(added.body.errors));
    assert.equal(
      added.body.data.tenantMutations.signalMutations.setupPixelSignalConfig.connectionStatus.connected,
      true,
    );
    for (const [doc, vars] of [
      [RECEIVING_SCHEMA, { id, tenantId: tenantId2, input: { status: 0 } }],
      [PUBLISHING_SCHEMA, { id, tenantId: tenantId2, input: { status: 0 } }],
      [
        EVENT_FILTER_SCHEMA,
        { tenantId: tenantId2, input: { eventName: 'AddToCart', pixelIds: [id], filterState: 'DROP' } },
      ],
    ] as const) {
      const res = await t.gql(doc, vars);
      assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    }
    const status = (await t.gql(RECEIVING_SCHEMA, { id, tenantId: tenantId2, input: { status: 1 } })).body.data
      .tenantMutations.signalMutations.updateSignalConfigEventsStatus.connectionStatus;
    assert.deepEqual(
      { active: status.active, publishingEnabled: status.publishingEnabled },
      { active: true, publishingEnabled: false },
    );
  });
});
