import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CapiResponse } from './capi-client.js';
import { classifyFailure } from './classify-response.js';
import { backoffMs } from './publisher.js';

const fail = (status: number | null, code?: number, subcode?: number, transient?: boolean) =>
  ({
    ok: false,
    status,
    error: code === undefined ? null : { message: 'm', code, error_subcode: subcode, is_transient: transient },
    description: 'd',
    retryAfterMs: null,
  }) as Extract<CapiResponse, { ok: false }>;

test('failures are classified on Meta’s error code (capi-contract.md 5.2)', () => {
  assert.equal(classifyFailure(fail(null)), 'transient');
  assert.equal(classifyFailure(fail(503)), 'transient');
  assert.equal(classifyFailure(fail(500, 2)), 'transient');
  assert.equal(classifyFailure(fail(400, 999, undefined, true)), 'transient');
  for (const code of [4, 17, 613, 80004]) assert.equal(classifyFailure(fail(400, code)), 'throttled');
  assert.equal(classifyFailure(fail(429)), 'throttled');
  assert.equal(classifyFailure(fail(400, 190, 463)), 'bad_token');
  assert.equal(classifyFailure(fail(400, 100, 33)), 'pixel_config');
  assert.equal(classifyFailure(fail(400, 2635)), 'pixel_config');
  assert.equal(classifyFailure(fail(400, 100, 2804050)), 'invalid_events');
  assert.equal(classifyFailure(fail(400, 100)), 'invalid_events');
  assert.equal(classifyFailure(fail(413)), 'invalid_events');
});

test('backoff grows exponentially with jitter, is capped, and honours Meta’s regain estimate', () => {
  const retry = { baseMs: 100, maxMs: 10_000 };
  for (let attempt = 1; attempt <= 5; attempt++) {
    const d = backoffMs('transient', attempt, null, retry);
    const exp = 100 * 2 ** (attempt - 1);
    assert.ok(d >= exp / 2 && d <= exp, `attempt ${attempt}: ${d}`);
  }
  assert.ok(backoffMs('transient', 30, null, retry) <= 10_000);
  assert.ok(backoffMs('throttled', 1, 5_000, retry) >= 5_000);
  assert.equal(backoffMs('bad_token', 3, null, retry), 0);
});
