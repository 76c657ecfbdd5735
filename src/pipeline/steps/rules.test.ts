import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testEvent, testPixel } from '../test-event.js';
import { dedupKeyStep } from './dedup-key.js';
import { domainFilterStep, domainOf, isBlocked } from './domain-filter.js';
import { eventFilterStep } from './event-filter.js';
import { publishingSwitchStep } from './publishing-switch.js';
import { receivingSwitchStep } from './receiving-switch.js';
import { resolvePixelStep } from './resolve-pixel.js';

test('resolve pixel: unknown pixels and deactivated accounts are dropped', () => {
  assert.deepEqual(resolvePixelStep(testEvent({}, { pixel: null })), {
    ok: false,
    reason: 'pixel_unknown',
    detail: 'pixel 111 is not connected to this gateway',
  });
  const inactive = resolvePixelStep(testEvent({}, { pixel: testPixel({ tenantActive: false }) }));
  assert.equal(inactive.ok ? 'ok' : inactive.reason, 'account_inactive');
  assert.equal(resolvePixelStep(testEvent()).ok, true);
});

test('receiving switch: off drops, on passes', () => {
  const off = receivingSwitchStep(testEvent({}, { pixel: testPixel({ receiving: false }) }));
  assert.equal(off.ok ? 'ok' : off.reason, 'receiving_disabled');
  assert.equal(receivingSwitchStep(testEvent()).ok, true);
});

test('domain filter: matches the host without www and its subdomains, nothing else', () => {
  assert.equal(domainOf('https://WWW.Example.com:8443/x?y=1'), 'example.com');
  assert.equal(domainOf('not a url'), '');
  const blocked = new Set(['example.com']);
  assert.equal(isBlocked('example.com', blocked), true);
  assert.equal(isBlocked('shop.example.com', blocked), true);
  assert.equal(isBlocked('notexample.com', blocked), false);
  assert.equal(isBlocked('example.com.evil.net', blocked), false);
  const pixel = testPixel({ blockedDomains: blocked });
  const drop = domainFilterStep(testEvent({ event_source_url: 'https://a.example.com/' }, { pixel }));
  assert.equal(drop.ok ? 'ok' : drop.reason, 'domain_blocked');
  assert.equal(domainFilterStep(testEvent({ event_source_url: 'https://other.org/' }, { pixel })).ok, true);
  assert.equal(domainFilterStep(testEvent({ event_source_url: undefined }, { pixel })).ok, true);
});

test('event filter: only the switched-off event name is dropped, case-sensitively', () => {
  const pixel = testPixel({ droppedEvents: new Set(['AddToCart']) });
  const drop = eventFilterStep(testEvent({ event_name: 'AddToCart' }, { pixel }));
  assert.equal(drop.ok ? 'ok' : drop.reason, 'event_blocked');
  assert.equal(eventFilterStep(testEvent({ event_name: 'addtocart' }, { pixel })).ok, true);
  assert.equal(eventFilterStep(testEvent({ event_name: 'Purchase' }, { pixel })).ok, true);
});

test('dedup key: the client event_id, or none', () => {
  const withId = dedupKeyStep(testEvent({ event_id: 'abc' }));
  assert.equal(withId.ok && withId.value.dedupKey, 'abc');
  const without = dedupKeyStep(testEvent());
  assert.equal(without.ok && without.value.dedupKey, null);
});

test('publishing switch: off keeps the event but marks it not to be sent', () => {
  const off = publishingSwitchStep(testEvent({}, { pixel: testPixel({ publishing: false }) }));
  assert.ok(off.ok);
  assert.equal(off.value.publish, false);
  assert.equal(off.value.notPublishedReason, 'publishing_disabled');
  const on = publishingSwitchStep(testEvent());
  assert.ok(on.ok && on.value.publish);
});
