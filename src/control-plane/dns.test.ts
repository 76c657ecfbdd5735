import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cnamePointsAt } from './dns.js';

test('a CNAME check is true only for the target, and false on any failure', async () => {
  assert.equal(await cnamePointsAt(async () => ['gw.example.com.'], 'shop.example', 'GW.example.com'), true);
  assert.equal(await cnamePointsAt(async () => ['other.example.com'], 'shop.example', 'gw.example.com'), false);
  assert.equal(await cnamePointsAt(async () => Promise.reject(new Error('ENOTFOUND')), 'x', 'gw.example.com'), false);
});

test('a lookup that never answers counts as false after the timeout', async () => {
  const started = Date.now();
  assert.equal(await cnamePointsAt(() => new Promise(() => undefined), 'shop.example', 'gw.example.com'), false);
  assert.ok(Date.now() - started < 5_000);
});
