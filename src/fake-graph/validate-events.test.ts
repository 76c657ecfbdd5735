import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isFbCookie, validateEventsPayload } from './validate-events.js';

const NOW = 1_800_000_000;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_name: 'Purchase',
    event_time: NOW - 60,
    action_source: 'website',
    event_source_url: 'https://shop.example/checkout',
    user_data: { em: sha('a@example.com'), client_user_agent: 'Mozilla/5.0' },
    ...overrides,
  };
}

function check(data: unknown, opts = {}) {
  return validateEventsPayload(data, { nowSeconds: NOW, ...opts });
}

function failure(data: unknown, opts = {}) {
  const r = check(data, opts);
  assert.equal(r.ok, false, 'expected the payload to be rejected');
  if (r.ok) throw new Error('unreachable');
  return r.failure;
}

describe('validateEventsPayload', () => {
  it('accepts a valid batch and JSON-encoded data strings', () => {
    const r = check([event(), event({ event_name: 'Lead' })]);
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.events.length, 2);
    assert.equal(check(JSON.stringify([event()])).ok, true);
  });

  it('rejects missing, non-array, empty and oversized data with code 100', () => {
    for (const data of [undefined, null, {}, 'not json', [], Array.from({ length: 1001 }, () => event())]) {
      const f = failure(data);
      assert.equal(f.status, 400);
      assert.equal(f.error.code, 100);
      assert.equal(f.error.type, 'OAuthException');
      assert.equal(f.error.is_transient, false);
    }
    assert.equal(check(Array.from({ length: 1000 }, () => event())).ok, true);
  });

  it('requires event_name, action_source in the enum, and user_data', () => {
    assert.match(failure([event({ event_name: '' })]).error.message, /data\[0\]\.event_name/);
    assert.match(failure([event(), event({ action_source: undefined })]).error.message, /data\[1\]\.action_source/);
    assert.match(failure([event({ action_source: 'web' })]).error.message, /action_source/);
    assert.match(failure([event({ user_data: undefined })]).error.message, /user_data/);
    assert.match(failure([event({ user_data: [] })]).error.message, /user_data/);
  });

  it('checks event_time: integer seconds, not ms, not too old, not too far ahead', () => {
    assert.match(failure([event({ event_time: 'yesterday' })]).error.message, /event_time/);
    assert.match(failure([event({ event_time: 1.5 + NOW })]).error.message, /event_time/);
    assert.match(failure([event({ event_time: NOW * 1000 })]).error.message, /milliseconds/);
    assert.equal(check([event({ event_time: String(NOW) })]).ok, true);

    const old = failure([event({ event_time: NOW - 8 * 86_400 })]).error;
    assert.equal(old.code, 100);
    assert.equal(old.error_subcode, 2804003);
    assert.equal(old.error_user_title, 'Event Timestamp Too Old');
    assert.equal(check([event({ event_time: NOW - 6 * 86_400 })]).ok, true);
    assert.equal(check([event({ event_time: NOW - 30 * 86_400, action_source: 'physical_store' })]).ok, true);
    assert.equal(
      failure([event({ event_time: NOW - 63 * 86_400, action_source: 'physical_store' })]).error.error_subcode,
      2804003,
    );

    assert.equal(failure([event({ event_time: NOW + 601 })]).error.code, 100);
    assert.equal(check([event({ event_time: NOW + 599 })]).ok, true);
    assert.equal(check([event({ event_time: NOW + 3000 })], { futureSkewSeconds: 3600 }).ok, true);
  });

  it('rejects user_data without identifiers or with only a weak combination (2804050)', () => {
    const weak = [
      {},
      { em: null, ph: '' },
      { client_user_agent: 'UA' },
      { ct: sha('paris'), country: sha('fr'), zp: sha('75001'), client_user_agent: 'UA' },
      { db: sha('19900101'), client_user_agent: 'UA' },
      { fn: sha('mary'), ge: sha('f') },
      { ln: sha('smith') },
    ];
    for (const user_data of weak) {
      const f = failure([event({ user_data })]).error;
      assert.equal(f.error_subcode, 2804050, JSON.stringify(user_data));
    }
    for (const user_data of [
      { fn: sha('mary'), ln: sha('smith') },
      { client_ip_address: '203.0.113.7', client_user_agent: 'UA' },
      { fbp: 'fb.1.1700000000000.123456789' },
      { external_id: 'user-42' },
    ]) {
      assert.equal(check([event({ user_data })]).ok, true, JSON.stringify(user_data));
    }
  });

  it('requires hashed PII in strict mode and names the field', () => {
    const f = failure([event(), event({ user_data: { em: 'a@example.com' } })]).error;
    assert.equal(f.code, 100);
    assert.match(f.message, /data\[1\]\.user_data\.em/);
    assert.match(f.error_user_msg ?? '', /data\[1\]\.user_data\.em/);
    assert.match(failure([event({ user_data: { em: sha('x'), ph: ['16505551212'] } })]).error.message, /user_data\.ph/);
    assert.equal(check([event({ user_data: { em: 'a@example.com' } })], { strictHashing: false }).ok, true);
  });

  it('accepts uppercase hex, MD5, arrays and param-builder appendices on hashes', () => {
    const user_data = {
      em: [sha('a@example.com').toUpperCase(), `${sha('b@example.com')}.AQQCAQMC`],
      ph: createHash('md5').update('1650').digest('hex'),
      country: `${sha('us')}.AQ`,
    };
    assert.equal(check([event({ user_data })]).ok, true);
    assert.match(failure([event({ user_data: { em: [sha('x'), 42] } })]).error.message, /user_data\.em/);
  });

  it('validates fbc/fbp cookie shapes', () => {
    assert.equal(isFbCookie('fb.1.1700000000000.IwAR2-x_Y'), true);
    assert.equal(isFbCookie('fb.1.1700000000000.IwAR2-x_Y.AQQCAQMC'), true);
    assert.equal(isFbCookie('fb.1.1700000000000'), false);
    assert.equal(isFbCookie('xx.1.1700000000000.abc'), false);
    assert.equal(isFbCookie('fb.1..abc'), false);
    assert.match(failure([event({ user_data: { em: sha('x'), fbc: 'IwAR2' } })]).error.message, /user_data\.fbc/);
  });

  it('requires a country with LDU', () => {
    const ldu = { data_processing_options: ['LDU'] };
    assert.match(failure([event(ldu)]).error.message, /data_processing_options_country/);
    assert.equal(
      check([event({ ...ldu, data_processing_options_country: 0, data_processing_options_state: 0 })]).ok,
      true,
    );
    assert.equal(check([event({ data_processing_options: [] })]).ok, true);
  });

  it('tolerates null optional fields as the SDKs send them', () => {
    const e = event({ event_id: null, custom_data: null, data_processing_options: null, opt_out: null });
    (e.user_data as Record<string, unknown>).ph = null;
    assert.equal(check([e]).ok, true);
  });

  it('optionally requires website fields', () => {
    const e = event({ event_source_url: undefined });
    assert.equal(check([e]).ok, true);
    assert.match(failure([e], { strictWebsiteFields: true }).error.message, /event_source_url/);
  });
});
