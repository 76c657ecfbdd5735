import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GatewayPixelSettings } from '../database/repos/gateway-pixel-settings-repo.js';
import { cachedGatewayPixelSettings } from './gateway-pixel-settings.js';

// Every page view asks for the tag: the database must see one read per id per ttl, a change must
// show within the ttl, and an outage must not be remembered.

function counting(answers: Record<string, GatewayPixelSettings | null>) {
  const reads: string[] = [];
  let failing = false;
  return {
    reads,
    fail(on: boolean) {
      failing = on;
    },
    async load(id: string) {
      reads.push(id);
      if (failing) throw new Error('database unavailable');
      return answers[id] ?? null;
    },
  };
}

test('one read per id within the ttl, for gateway pixels and for ids that are none (null)', async () => {
  let clock = 1_000;
  const db = counting({ '1111111111111111111': { enabledStatus: false } });
  const lookup = cachedGatewayPixelSettings(db.load, { ttlMs: 30_000, now: () => clock });
  const together = await Promise.all([lookup('1111111111111111111'), lookup('1111111111111111111')]);
  assert.deepEqual(together, [{ enabledStatus: false }, { enabledStatus: false }]);
  assert.equal(await lookup('222222222222222'), null);
  clock += 29_999;
  assert.deepEqual(await lookup('1111111111111111111'), { enabledStatus: false });
  assert.equal(await lookup('222222222222222'), null);
  assert.deepEqual(db.reads, ['1111111111111111111', '222222222222222']);
});

test('after the ttl the settings are read again, so a change reaches new tags', async () => {
  let clock = 0;
  const answers: Record<string, GatewayPixelSettings | null> = { '1111111111111111111': {} };
  const db = counting(answers);
  const lookup = cachedGatewayPixelSettings(db.load, { ttlMs: 30_000, now: () => clock });
  assert.deepEqual(await lookup('1111111111111111111'), {});
  answers['1111111111111111111'] = { enableFirstPartyCookie: false };
  clock += 30_000;
  assert.deepEqual(await lookup('1111111111111111111'), { enableFirstPartyCookie: false });
  assert.equal(db.reads.length, 2);
});

test('a failed read is not remembered: the next request reads again', async () => {
  const db = counting({ '1111111111111111111': { enableContactDataHash: true } });
  const lookup = cachedGatewayPixelSettings(db.load, { ttlMs: 30_000, now: () => 0 });
  db.fail(true);
  await assert.rejects(lookup('1111111111111111111'), /database unavailable/);
  db.fail(false);
  assert.deepEqual(await lookup('1111111111111111111'), { enableContactDataHash: true });
  assert.deepEqual(await lookup('1111111111111111111'), { enableContactDataHash: true });
  assert.equal(db.reads.length, 2);
});
