import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  BUILT_IN_TEMPLATES,
  contentTypeOf,
  hash256,
  isBatchTemplate,
  type RenderedPayload,
  renderTemplate,
  TEMPLATE_MAX_BYTES,
  validateTemplate,
} from './template.js';

const purchase = JSON.stringify({
  event_name: 'Purchase',
  event_time: 1_700_000_000,
  event_id: 'order-1',
  action_source: 'app',
  user_data: { em: ['a@example.com'], client_ip_address: '203.0.113.9', madid: 'AD-1' },
  custom_data: { value: 12.5, currency: 'EUR', num_items: 2 },
  app_data: { advertiser_tracking_enabled: 1, application_tracking_enabled: 0 },
});
const lead = JSON.stringify({
  event_name: 'Lead "quoted" \\ </script>\n',
  event_time: 1_700_000_001,
  event_id: 'lead-1',
  action_source: 'website',
  user_data: {},
  custom_data: { value: 3 },
});

function body(r: RenderedPayload): string {
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.body;
}

test("Meta's sample template: a loop over events whose body names each event's fields", async () => {
  const sample = `[{% for event in events %}{"event_name":"{{event_name}}","event_time":{{event_time}},"event_id":"{{event_id}}","action_source":"{{action_source}}","mobile_advertiser_id":"{{mobile_advertiser_id}}","client_ip_address":"{{client_ip_address}}","currency":"{{currency}}","value":{{value | default: 0}},"num_items":{{num_items | default: 0}},"advertiser_tracking_enabled":{{advertiser_tracking_enabled | default: 0}},"application_tracking_enabled":{{application_tracking_enabled | default: 0}}}{% unless forloop.last %},{% endunless %}{% endfor %}]`;
  assert.equal(isBatchTemplate(sample), true);
  const second = JSON.stringify({ event_name: 'AddToCart', event_time: 1_700_000_002, event_id: 'c-1' });
  const out = JSON.parse(body(await renderTemplate(sample, [purchase, second])));
  assert.deepEqual(out[0], {
    event_name: 'Purchase',
    event_time: 1_700_000_000,
    event_id: 'order-1',
    action_source: 'app',
    mobile_advertiser_id: 'AD-1',
    client_ip_address: '203.0.113.9',
    currency: 'EUR',
    value: 12.5,
    num_items: 2,
    advertiser_tracking_enabled: 1,
    application_tracking_enabled: 0,
  });
  // The second event's missing fields are empty, not the first event's.
  assert.equal(out[1].event_name, 'AddToCart');
  assert.equal(out[1].currency, '');
  assert.equal(out[1].client_ip_address, '');
  assert.equal(out[1].value, 0);
});

test('a per-event template names the event and its fields directly', async () => {
  const perEvent = '{{ event_name }}|{{ event.value }}|{{ event.currency }}|{{ event.client_ip_address }}|{{ value }}';
  assert.equal(isBatchTemplate(perEvent), false);
  assert.equal(body(await renderTemplate(perEvent, [purchase])), 'Purchase|12.5|EUR|203.0.113.9|12.5');
});

test('`{{ event | json }}` is the event as Meta gets it, escaped; json writes null for a missing value', async () => {
  const t =
    '{"data":[{% for e in events %}{{ e | json }}{% unless forloop.last %},{% endunless %}{% endfor %}],"x":{{ nothing | json }}}';
  const r = await renderTemplate(t, [purchase, lead]);
  assert.ok(r.ok);
  assert.equal(r.contentType, 'application/json');
  const out = JSON.parse(r.body);
  assert.deepEqual(out.data, [JSON.parse(purchase), JSON.parse(lead)]);
  assert.equal(out.x, null);
  assert.equal(
    body(await renderTemplate('{"n": {{ event_name | json }}}', [lead])),
    `{"n": ${JSON.stringify(JSON.parse(lead).event_name)}}`,
  );
});

test('hash256 hashes the trimmed lower-cased value, passes hashes through, and hashes each of a list', async () => {
  const expected = createHash('sha256').update('a@example.com').digest('hex');
  assert.equal(hash256('  A@Example.COM '), expected);
  assert.equal(hash256(expected.toUpperCase()), expected);
  assert.equal(hash256(''), '');
  assert.equal(hash256(null), '');
  assert.deepEqual(hash256(['a@example.com', expected]), [expected, expected]);
  assert.equal(body(await renderTemplate('{{ "A@example.com " | hash256 }}', [purchase])), expected);
  assert.equal(body(await renderTemplate('{{ em | hash256 | json }}', [purchase])), JSON.stringify([expected]));
});

test('every built-in template renders; the JSON ones render valid JSON even with quotes in the values', async () => {
  assert.ok(BUILT_IN_TEMPLATES.length >= 3);
  for (const t of BUILT_IN_TEMPLATES) {
    assert.deepEqual(validateTemplate(t.body), [], t.id);
    const events = isBatchTemplate(t.body) ? [purchase, lead] : [lead];
    const r = await renderTemplate(t.body, events);
    assert.ok(r.ok, `${t.id}: ${r.ok ? '' : r.error}`);
    if (r.contentType === 'application/json') JSON.parse(r.body);
    else assert.equal(r.contentType, 'application/x-www-form-urlencoded', t.id);
  }
  const batch = BUILT_IN_TEMPLATES.find((t) => t.id === 'builtin_conversions_api_batch');
  assert.ok(batch);
  const r = await renderTemplate(batch.body, [purchase, lead]);
  assert.deepEqual(JSON.parse(body(r)), { data: [JSON.parse(purchase), JSON.parse(lead)] });
});

test('files are out of reach: include, render and layout are refused with a clear error', async () => {
  for (const t of ['{% include "secrets.txt" %}', '{% render "/etc/passwd" %}', '{% layout "base" %}x']) {
    const problems = validateTemplate(t);
    assert.equal(problems.length, 1, t);
    assert.match(problems[0] ?? '', /templates cannot read files/);
    const r = await renderTemplate(t, [purchase]);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /templates cannot read files/);
  }
});

test('nothing but the events is in scope: no process, globals or prototypes', async () => {
  const t =
    '[{{ process }}][{{ global }}][{{ globalThis }}][{{ require }}][{{ constructor }}][{{ events.constructor }}]' +
    '[{{ event.constructor.constructor }}][{{ event.__proto__ }}][{{ events.__proto__.map }}][{{ "x".constructor }}]';
  assert.equal(body(await renderTemplate(t, [purchase])), '[][][][][][][][][][]');
});

test('unknown filters are refused when the template is saved', () => {
  assert.match(validateTemplate('{{ value | exec }}')[0] ?? '', /undefined filter: exec/);
  assert.match(validateTemplate('{% for x in events %}')[0] ?? '', /not closed/);
  assert.deepEqual(validateTemplate('{{ value | plus: 1 }}'), []);
  assert.deepEqual(validateTemplate(' '), ['the template is empty']);
});

test('render time, memory and template size are bounded', async () => {
  const long = await renderTemplate('{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}', [
    purchase,
  ]);
  assert.equal(long.ok, false);
  assert.match(long.ok ? '' : long.error, /limit exceeded/);
  const big = await renderTemplate('{% for i in (1..200000000) %}x{% endfor %}', [purchase]);
  assert.equal(big.ok, false);
  assert.match(big.ok ? '' : big.error, /memory alloc limit exceeded/);
  const doubling = await renderTemplate(
    '{% assign s = "xxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
    [purchase],
  );
  assert.equal(doubling.ok, false);
  assert.match(validateTemplate('x'.repeat(TEMPLATE_MAX_BYTES + 1))[0] ?? '', /larger than 64 KB/);
});

test('a template that mentions events is a batch template; others are per event', () => {
  assert.equal(isBatchTemplate('{"n": {{ events.size }}}'), true);
  assert.equal(isBatchTemplate('{% for e in events %}{{ e.event_id }}{% endfor %}'), true);
  assert.equal(isBatchTemplate('{"name": "events", "e": {{ event_name | json }}}'), false);
  assert.equal(isBatchTemplate('{% assign x = event %}{{ x.value }}'), false);
});

test('the content type follows what the body is', () => {
  assert.equal(contentTypeOf(' {"a":1} '), 'application/json');
  assert.equal(contentTypeOf('[1,2]'), 'application/json');
  assert.equal(contentTypeOf('a=1&b=two%20words'), 'application/x-www-form-urlencoded');
  assert.equal(contentTypeOf('Purchase at 12'), 'text/plain; charset=utf-8');
  assert.equal(contentTypeOf(''), 'text/plain; charset=utf-8');
});

test('an event that is not JSON fails the render as data', async () => {
  const r = await renderTemplate('{{ event_name }}', ['{not json']);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.error, /not valid JSON/);
});
