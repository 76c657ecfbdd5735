// The Node versions we declare are a promise: every package the lock installs must accept all of
// them, or `npm install` warns EBADENGINE and the package may break on a version we claim.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import semver from 'semver';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'));

test('every package in the lock supports the whole declared Node range', () => {
  const ours: string = pkg.engines.node;
  assert.ok(semver.validRange(ours), `engines.node "${ours}" is not a valid range`);
  const misfits: string[] = [];
  for (const [path, entry] of Object.entries<{ version?: string; engines?: unknown }>(lock.packages)) {
    if (path === '') continue;
    const node =
      typeof entry.engines === 'object' && entry.engines && 'node' in entry.engines ? entry.engines.node : undefined;
    if (typeof node !== 'string') continue;
    if (!semver.subset(ours, node)) misfits.push(`${path}@${entry.version} wants node ${node}`);
  }
  assert.deepEqual(misfits, [], `packages that do not support node ${ours}`);
});

test('the lock was written for this package.json', () => {
  const locked = lock.packages[''];
  assert.deepEqual(locked.engines, pkg.engines);
  assert.deepEqual(locked.dependencies, pkg.dependencies);
  assert.deepEqual(locked.devDependencies, pkg.devDependencies);
});
