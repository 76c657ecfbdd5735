import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBuckets, createIngestLimiter } from './rate-limiter.js';

test('a bucket lets a burst through, then the sustained rate, and says when to retry', () => {
  let t = 0;
  const b = createBuckets({ perSec: 10, burst: 20 }, () => t);
  for (let i = 0; i < 20; i++) assert.deepEqual(b.take('a'), { ok: true });
  assert.deepEqual(b.take('a'), { ok: false, retryAfterSec: 1 });
  assert.deepEqual(b.take('b'), { ok: true }, 'another key has its own bucket');
  t += 500; // five tokens back
  for (let i = 0; i < 5; i++) assert.deepEqual(b.take('a'), { ok: true });
  assert.equal(b.take('a').ok, false);
  t += 10_000;
  assert.deepEqual(b.take('a', 20), { ok: true }, 'refills up to the burst, not beyond');
  assert.equal(b.take('a', 1).ok, false);
});

test('taking many at once is all or nothing; more than the burst waits for a full bucket', () => {
  const b = createBuckets({ perSec: 100, burst: 1000 }, () => 0);
  assert.deepEqual(b.take('acct', 900), { ok: true });
  assert.deepEqual(b.take('acct', 200), { ok: false, retryAfterSec: 1 });
  assert.deepEqual(b.take('acct', 100), { ok: true }, 'the refused take consumed nothing');
  assert.deepEqual(b.take('acct', 5000), { ok: false, retryAfterSec: 10 });
});

test('idle buckets are forgotten when many keys arrive, so memory stays bounded', () => {
  let t = 0;
  const b = createBuckets({ perSec: 1, burst: 5 }, () => t);
  for (let i = 0; i < 100_000; i++) b.take(`ip${i}`);
  t += 10_000; // all full again
  b.take('one more');
  assert.ok(b.size() < 1000, `swept to ${b.size()} buckets`);
});

test('the ingest limiter: per IP per request, per account per event; null limits are off', () => {
  const t = 0;
  const limiter = createIngestLimiter(
    { perIp: { perSec: 1, burst: 2 }, perAccount: { perSec: 1, burst: 10 } },
    () => t,
  );
  assert.equal(limiter.request('203.0.113.1').ok, true);
  assert.equal(limiter.request('203.0.113.1').ok, true);
  assert.equal(limiter.request('203.0.113.1').ok, false);
  assert.equal(limiter.request(null).ok, true, 'no address, no per-IP limit');
  assert.equal(limiter.events('acct', 10).ok, true);
  assert.equal(limiter.events('acct', 1).ok, false);
  const open = createIngestLimiter({ perIp: null, perAccount: null });
  for (let i = 0; i < 1000; i++) assert.equal(open.request('x').ok && open.events('a', 1000).ok, true);
});

test('two workers that tell each other what they admitted hold the limit together over time', () => {
  let t = 0;
  const limits = { perIp: null, perAccount: { perSec: 100, burst: 100 } };
  const a = createIngestLimiter(limits, () => t);
  const b = createIngestLimiter(limits, () => t);
  a.takeSpend();
  b.takeSpend();
  let admitted = 0;
  // Ten seconds of a flood on both workers, syncing every 50 ms as the cluster does.
  for (let step = 0; step < 200; step++) {
    for (let i = 0; i < 20; i++) {
      if (a.events('acct', 1).ok) admitted++;
      if (b.events('acct', 1).ok) admitted++;
    }
    const fromA = a.takeSpend();
    const fromB = b.takeSpend();
    if (fromA) b.applySpend(fromA);
    if (fromB) a.applySpend(fromB);
    t += 50;
  }
  // One burst plus ten seconds at 100/s, give or take one sync window of both workers' refill.
  assert.ok(admitted >= 1000 && admitted <= 1100 + 2 * 100, `admitted ${admitted}`);
  // Without the sync each would have admitted that much on its own.
  assert.ok(admitted < 1800);
});
