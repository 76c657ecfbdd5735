import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapBrowserEvent } from './browser-event.js';

test('the pixel plugin body maps to a Conversions API event', () => {
  const m = mapBrowserEvent(
    {
      event_name: 'Purchase',
      event_id: 'ob3_plugin-set_abc',
      'fb.pixel_id': '1234',
      custom_data: { content_ids: ['1'] },
      conversion_value: { value: 10, currency: 'USD' },
      'fb.advanced_matching': { em: 'a@b.co', unknown_key: 'x', fn: '' },
      'fb.fbp': 'fb.1.1.2',
      website_context: { location: 'https://a.com/x', referrer: 'https://b.com/', isInIFrame: false },
    },
    1_760_000_000_500,
  );
  assert.ok(m.ok);
  assert.equal(m.pixelId, '1234');
  assert.deepEqual(m.raw, {
    event_name: 'Purchase',
    event_time: 1_760_000_000,
    action_source: 'website',
    event_id: 'ob3_plugin-set_abc',
    event_source_url: 'https://a.com/x',
    referrer_url: 'https://b.com/',
    custom_data: { content_ids: ['1'], value: 10, currency: 'USD' },
    user_data: { em: 'a@b.co', fbp: 'fb.1.1.2' },
  });
});

test('event_time in milliseconds becomes seconds; a missing pixel id is an error', () => {
  const m = mapBrowserEvent({ event_name: 'X', 'fb.pixel_id': 5, event_time: 1_760_000_000_999 }, 0);
  assert.ok(m.ok && m.raw.event_time === 1_760_000_000);
  assert.deepEqual(mapBrowserEvent({ event_name: 'X' }, 0), {
    ok: false,
    error: '"fb.pixel_id" is required and must be the numeric pixel id',
  });
  assert.equal(mapBrowserEvent([], 0).ok, false);
});
