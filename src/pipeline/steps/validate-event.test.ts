import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateEvent } from './validate-event.js';

const now = 1_760_000_000;
const valid = () => ({
  event_name: 'Purchase',
  event_time: now - 60,
  action_source: 'website',
  event_source_url: 'https://shop.example.com/',
  user_data: { client_user_agent: 'UA', em: 'a@b.co' },
});
const errors = (e: unknown, source: 'server' | 'browser' = 'server') => {
  const v = validateEvent(e, { nowSec: now, source });
  return v.ok ? [] : v.errors;
};

test('a complete server event is valid', () => {
  assert.deepEqual(errors(valid()), []);
});

test('event_time: seconds only, at most 7 days old (62 for physical_store), not in the future', () => {
  assert.match(errors({ ...valid(), event_time: now * 1000 })[0] ?? '', /milliseconds/);
  assert.match(errors({ ...valid(), event_time: now - 8 * 86400 })[0] ?? '', /older than 7 days/);
  assert.deepEqual(errors({ ...valid(), action_source: 'physical_store', event_time: now - 8 * 86400 }), []);
  assert.match(errors({ ...valid(), event_time: now + 3600 })[0] ?? '', /future/);
  assert.deepEqual(errors({ ...valid(), event_time: String(now) }), [], 'a numeric string is accepted');
  assert.match(errors({ ...valid(), event_time: 1.5 })[0] ?? '', /whole seconds/);
});

test('required fields per action_source', () => {
  assert.match(errors({ ...valid(), action_source: 'web' })[0] ?? '', /action_source/);
  assert.deepEqual(errors({ ...valid(), action_source: 'app', user_data: { madid: 'x' } }), [
    'app_data.advertiser_tracking_enabled is required for app events',
  ]);
  assert.deepEqual(
    errors({ ...valid(), action_source: 'email', event_source_url: undefined, user_data: { em: 'x' } }),
    [],
  );
  assert.deepEqual(errors({ ...valid(), action_source: 'email', user_data: {} }), [
    'user_data needs at least one customer information parameter',
  ]);
});

test('types are checked and every problem is listed', () => {
  const e = errors({ event_name: '', event_time: 'soon', user_data: [], custom_data: 'x', opt_out: 'yes' });
  assert.equal(e.length, 6);
  assert.match(errors({ ...valid(), user_data: { em: { nested: true } } })[0] ?? '', /user_data\.em/);
  assert.match(errors({ ...valid(), data_processing_options: ['LDU'] })[0] ?? '', /country/);
  assert.match(errors({ ...valid(), event_source_url: 'javascript:alert(1)' })[0] ?? '', /event_source_url/);
  assert.deepEqual(errors(null), ['each event must be a JSON object']);
});

test('browser events are not held to website requirements before enrichment', () => {
  assert.deepEqual(errors({ event_name: 'PageView', event_time: now, action_source: 'website' }, 'browser'), []);
});
