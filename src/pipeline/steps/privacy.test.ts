import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PRIVACY, type AccountPrivacy } from '../../domain/pixel.js';
import { runPipeline } from '../pipeline.js';
import { testEvent, testPixel, testRequest } from '../test-event.js';
import { consentStep } from './consent.js';
import { dataProcessingStep } from './data-processing.js';
import { addRememberedMatchingStep, rememberMatchingStep } from './enrichment.js';
import { routeStep } from './route.js';

const H = (c: string) => c.repeat(64);
const pixelWith = (privacy: Partial<AccountPrivacy>) => testPixel({ privacy: { ...DEFAULT_PRIVACY, ...privacy } });
const customer = {
  em: H('a'),
  ph: H('b'),
  fbp: 'fb.1.1700000000000.5',
  client_ip_address: '203.0.113.9',
  client_user_agent: 'UA/1',
};

test('consent: IGNORE sends a denied event unchanged', () => {
  const r = consentStep(
    testEvent({ user_data: customer }, { pixel: pixelWith({ consentPolicy: 'IGNORE' }), consent: 'denied' }),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.value.event.user_data, customer);
});

test('consent: DROP (the default) drops denied events, and events without a signal when consent is required', () => {
  const pixel = testPixel();
  const denied = consentStep(testEvent({}, { pixel, consent: 'denied' }));
  assert.equal(denied.ok ? 'ok' : denied.reason, 'consent_denied');
  assert.equal(consentStep(testEvent({}, { pixel, consent: null })).ok, true);
  assert.equal(consentStep(testEvent({}, { pixel, consent: 'granted' })).ok, true);
  const required = consentStep(
    testEvent({}, { pixel: pixelWith({ consentPolicy: 'DROP', consentRequired: true }), consent: null }),
  );
  assert.equal(required.ok ? 'ok' : required.reason, 'consent_denied');
});

test('consent: LIMIT keeps only IP and user agent and sets Limited Data Use', () => {
  const r = consentStep(
    testEvent({ user_data: customer }, { pixel: pixelWith({ consentPolicy: 'LIMIT' }), consent: 'denied' }),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.value.event.user_data, { client_ip_address: '203.0.113.9', client_user_agent: 'UA/1' });
  assert.deepEqual(r.value.event.data_processing_options, ['LDU']);
  assert.equal(r.value.event.data_processing_options_country, 0);
  assert.equal(r.value.consentLimited, true);
  const granted = consentStep(
    testEvent({ user_data: customer }, { pixel: pixelWith({ consentPolicy: 'LIMIT' }), consent: 'granted' }),
  );
  assert.ok(granted.ok);
  assert.deepEqual(granted.value.event.user_data, customer);
});

test('data processing options: the account adds its own to events that carry none', () => {
  const pixel = pixelWith({ dataProcessing: { options: ['LDU'], country: 1, state: 1000 } });
  const r = dataProcessingStep(testEvent({}, { pixel }));
  assert.ok(r.ok);
  assert.deepEqual(
    [
      r.value.event.data_processing_options,
      r.value.event.data_processing_options_country,
      r.value.event.data_processing_options_state,
    ],
    [['LDU'], 1, 1000],
  );
  const own = dataProcessingStep(testEvent({ data_processing_options: [] }, { pixel }));
  assert.ok(own.ok);
  assert.deepEqual(own.value.event.data_processing_options, []);
  assert.equal(own.value.event.data_processing_options_country, undefined);
});

test('enrichment: remembered matching fills browser events without any, only when the account turned it on', () => {
  const remembered = { em: H('c') };
  const request = testRequest({ rememberedMatching: remembered });
  const on = pixelWith({ enrichment: true });
  const filled = addRememberedMatchingStep(testEvent({ user_data: {} }, { pixel: on, source: 'browser', request }));
  assert.ok(filled.ok);
  assert.equal(filled.value.event.user_data.em, H('c'));
  const off = addRememberedMatchingStep(testEvent({ user_data: {} }, { source: 'browser', request }));
  assert.ok(off.ok);
  assert.equal(off.value.event.user_data.em, undefined);
  const own = addRememberedMatchingStep(
    testEvent({ user_data: { ph: H('d') } }, { pixel: on, source: 'browser', request }),
  );
  assert.ok(own.ok);
  assert.equal(own.value.event.user_data.em, undefined, 'an event with its own matching keeps it alone');
  const denied = addRememberedMatchingStep(
    testEvent({ user_data: {} }, { pixel: on, source: 'browser', request, consent: 'denied' }),
  );
  assert.ok(denied.ok);
  assert.equal(denied.value.event.user_data.em, undefined);
});

test('enrichment: a browser event with matching asks for it to be remembered, merged with what was', () => {
  const on = pixelWith({ enrichment: true });
  const request = testRequest({ rememberedMatching: { em: H('c') } });
  const r = rememberMatchingStep(
    testEvent({ user_data: { ph: H('d'), fbp: 'x' } }, { pixel: on, source: 'browser', request }),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.value.remember, { em: H('c'), ph: H('d') });
  const same = rememberMatchingStep(
    testEvent({ user_data: { em: H('c') } }, { pixel: on, source: 'browser', request }),
  );
  assert.ok(same.ok);
  assert.equal(same.value.remember, undefined, 'nothing new: no cookie is written');
  const server = rememberMatchingStep(testEvent({ user_data: { em: H('e') } }, { pixel: on, source: 'server' }));
  assert.ok(server.ok);
  assert.equal(server.value.remember, undefined);
});

test('route: an event goes to every lane whose filters take it; none left is a drop', () => {
  const pixel = testPixel({
    routes: [
      { lane: 'sg_v1_dd_a', blockedEvents: new Set(['Lead']) },
      { lane: 'sg_v1_dd_b', blockedEvents: new Set() },
    ],
  });
  const purchase = routeStep(testEvent({ event_name: 'Purchase' }, { pixel }));
  assert.ok(purchase.ok);
  assert.deepEqual(purchase.value.lanes, ['sg_v1_dd_a', 'sg_v1_dd_b']);
  const lead = routeStep(testEvent({ event_name: 'Lead' }, { pixel }));
  assert.ok(lead.ok);
  assert.deepEqual(lead.value.lanes, ['sg_v1_dd_b']);
  const blocked = routeStep(
    testEvent(
      { event_name: 'Lead' },
      { pixel: testPixel({ routes: [{ lane: 'x', blockedEvents: new Set(['Lead']) }] }) },
    ),
  );
  assert.equal(blocked.ok ? 'ok' : blocked.reason, 'pipeline_filtered');
  const none = routeStep(testEvent({}, { pixel: testPixel({ routes: [] }) }));
  assert.equal(none.ok ? 'ok' : none.reason, 'pipeline_filtered');
});

test('pipeline: the consent field is taken off the event, never sent on', () => {
  const raw = {
    event_name: 'Purchase',
    event_time: 1_760_000_000,
    action_source: 'website',
    event_source_url: 'https://shop.example.com/',
    user_data: { client_ip_address: '203.0.113.9', client_user_agent: 'UA/1' },
    custom_data: { value: 1, currency: 'USD' },
    consent: 'denied',
  };
  const pixel = pixelWith({ consentPolicy: 'IGNORE' });
  const r = runPipeline({ pixelId: '111', pixel, source: 'server', raw, request: testRequest() });
  assert.ok(r.ok);
  assert.equal(r.value.consent, 'denied');
  assert.equal('consent' in r.value.event, false);
  const bad = runPipeline({
    pixelId: '111',
    pixel: testPixel(),
    source: 'server',
    raw: { ...raw, consent: 'maybe' },
    request: testRequest(),
  });
  assert.equal(bad.ok ? 'ok' : bad.reason, 'invalid');
});
