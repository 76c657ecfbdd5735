import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountView, type FilterRow, pixelView } from './filter-view.js';

const rows: FilterRow[] = [
  { pixelId: '', name: 'Lead', state: 'DROP' },
  { pixelId: '2', name: 'Lead', state: 'PUBLISH' },
  { pixelId: '', name: 'Purchase', state: 'DROP' },
  { pixelId: '1', name: 'AddToCart', state: 'DROP' },
  { pixelId: '2', name: 'AddToCart', state: 'DROP' },
];

test('an account-wide read is MIXED only when the pixels end up in different states', () => {
  const view = accountView(rows, ['1', '2']);
  assert.deepEqual(Object.fromEntries(view), { Lead: 'MIXED', Purchase: 'DROP', AddToCart: 'DROP' });
  assert.equal(accountView(rows, ['1', '2', '3']).get('AddToCart'), 'MIXED', 'pixel 3 publishes by default');
  assert.equal(accountView(rows, []).get('Lead'), 'DROP', 'no pixels: the account-wide row');
});

test("a pixel's own row wins over the account-wide row", () => {
  assert.deepEqual(Object.fromEntries(pixelView(rows, '2')), { Lead: 'PUBLISH', Purchase: 'DROP', AddToCart: 'DROP' });
  assert.deepEqual(Object.fromEntries(pixelView(rows, '9')), { Lead: 'DROP', Purchase: 'DROP' });
});
