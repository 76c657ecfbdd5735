import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSigner } from '../platform/signer.js';
import { createEnrichmentCookie, ENRICHMENT_COOKIE } from './enrichment-cookie.js';

const H = (c: string) => c.repeat(64);
const cookieValue = (setCookie: string) => setCookie.slice(ENRICHMENT_COOKIE.length + 1, setCookie.indexOf(';'));

test('the enrichment cookie reads back what it wrote: hashed matching keys only', () => {
  const cookie = createEnrichmentCookie(createSigner('secret-one', 'enrichment-cookie'));
  const header = cookie.write({ em: H('a'), ph: H('b'), fbp: 'fb.1.1.1', fn: 'john' }, false);
  assert.match(header, /; HttpOnly; SameSite=Lax$/);
  assert.match(header, /Max-Age=7776000/);
  assert.deepEqual(cookie.read(cookieValue(header)), { em: H('a'), ph: H('b') });
  assert.match(cookie.write({ em: H('a') }, true), /SameSite=None; Secure$/);
});

test('a forged, foreign or expired enrichment cookie is ignored', () => {
  let now = 1_800_000_000_000;
  const cookie = createEnrichmentCookie(createSigner('secret-one', 'enrichment-cookie'), () => now);
  const value = cookieValue(cookie.write({ em: H('a') }, false));
  const [body] = value.split('.');
  const planted = Buffer.from(JSON.stringify({ am: { em: H('f') }, exp: 9e9 })).toString('base64url');
  assert.equal(cookie.read(`${planted}.${value.split('.')[1]}`), null, 'a page cannot swap in its own values');
  assert.equal(cookie.read(`${body}.AAAA`), null);
  const other = createEnrichmentCookie(createSigner('secret-two', 'enrichment-cookie'), () => now);
  assert.equal(other.read(value), null, 'another gateway key does not verify');
  assert.equal(cookie.read(undefined), null);
  assert.equal(cookie.read('garbage'), null);
  now += 91 * 24 * 3600 * 1000;
  assert.equal(cookie.read(value), null, 'expired after 90 days');
});
