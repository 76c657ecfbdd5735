import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSecretBox } from './secret-box.js';

test('sealed values open with the same key only, and never contain the plain text', () => {
  const box = createSecretBox('a-long-enough-secret');
  const sealed = box.seal('EAAB-secret-token');
  assert.ok(!sealed.includes('EAAB'));
  assert.notEqual(box.seal('EAAB-secret-token'), sealed, 'a fresh IV every time');
  assert.equal(box.open(sealed), 'EAAB-secret-token');
  assert.throws(() => createSecretBox('another-secret-key').open(sealed));
  const tampered = `${sealed.slice(0, -2)}AA`;
  assert.throws(() => box.open(tampered));
});
