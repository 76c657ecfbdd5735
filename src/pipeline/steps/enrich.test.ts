import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testEvent, testRequest } from '../test-event.js';
import { stripPort } from '../../domain/ip-address.js';
import { enrichStep } from './enrich.js';

test('browser events take IP, user agent and cookies from the request', () => {
  const r = enrichStep(
    testEvent(
      { user_data: {}, event_source_url: 'https://shop.example.com/?fbclid=Click-ID_1' },
      {
        source: 'browser',
        request: testRequest({ ip: '::ffff:203.0.113.5', fbp: 'fb.1.1700000000000.5', fbc: null }),
      },
    ),
  );
  assert.ok(r.ok);
  const ud = r.value.event.user_data;
  assert.equal(ud.client_ip_address, '203.0.113.5');
  assert.equal(ud.client_user_agent, 'UA/1');
  assert.equal(ud.fbp, 'fb.1.1700000000000.5');
  assert.equal(ud.fbc, 'fb.1.1760000000000.Click-ID_1');
  assert.equal(r.value.event.action_source, 'website');
  assert.match(String(r.value.event.event_id), /^[0-9a-f-]{36}$/);
});

test('an existing fbc cookie is kept unless the URL carries another click id', () => {
  const cookie = 'fb.1.1700000000000.OldClick';
  const same = enrichStep(
    testEvent(
      { user_data: {}, event_source_url: 'https://x.com/' },
      { source: 'browser', request: testRequest({ fbc: cookie }) },
    ),
  );
  assert.ok(same.ok && same.value.event.user_data.fbc === cookie);
  const changed = enrichStep(
    testEvent(
      { user_data: {}, event_source_url: 'https://x.com/?fbclid=NewClick' },
      { source: 'browser', request: testRequest({ fbc: cookie }) },
    ),
  );
  assert.ok(changed.ok && changed.value.event.user_data.fbc === 'fb.1.1760000000000.NewClick');
});

test('server events keep what the sender gave; only a port is stripped and a missing event_id filled', () => {
  const r = enrichStep(
    testEvent({ event_id: 'e1', user_data: { client_ip_address: '203.0.113.9:4431', client_user_agent: 'Srv' } }),
  );
  assert.ok(r.ok);
  assert.equal(r.value.event.user_data.client_ip_address, '203.0.113.9');
  assert.equal(r.value.event.user_data.client_user_agent, 'Srv');
  assert.equal(r.value.event.event_id, 'e1');
});

test('stripPort handles IPv4, bracketed IPv6 and mapped addresses', () => {
  assert.equal(stripPort('1.2.3.4:80'), '1.2.3.4');
  assert.equal(stripPort('[2001:db8::1]:443'), '2001:db8::1');
  assert.equal(stripPort('2001:db8::1'), '2001:db8::1');
  assert.equal(stripPort('::ffff:10.0.0.1'), '10.0.0.1');
});
