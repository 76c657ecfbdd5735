import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

test('defaults give a working embedded gateway', () => {
  const c = loadConfig({});
  assert.equal(c.http.port, 8080);
  assert.equal(c.database.url, null);
  assert.equal(c.database.dataDir, './data');
  assert.ok(c.process.workers >= 1, 'one worker per core but one, at least one');
  assert.equal(c.graph.apiUrl, 'https://graph.facebook.com');
  assert.equal(c.publish.maxBatch, 500);
  assert.ok(c.publish.maxWaitMs <= 1000);
  assert.ok(Object.isFrozen(c.publish));
});

test('every problem is reported at once', () => {
  try {
    loadConfig({
      PORT: 'eighty',
      CAPIG_PUBLISH_MAX_BATCH: '5000',
      CAPIG_GRAPH_API_URL: 'ftp://x',
      CAPIG_GRAPH_API_VERSION: '24',
      DATABASE_URL: 'mysql://x',
      CAPIG_TRUST_PROXY: 'some proxy',
      CAPIG_WORKERS: '0',
      CAPIG_EMBEDDED_ENGINE: 'pglite',
    });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 9, err.message);
    assert.match(err.message, /CAPIG_WORKERS must be a whole number from 1 to 64/);
    assert.match(err.message, /CAPIG_EMBEDDED_ENGINE=pglite is no longer supported/);
    assert.match(err.message, /PORT/);
    assert.match(err.message, /CAPIG_PUBLISH_MAX_BATCH must be a whole number from 1 to 1000/);
    assert.match(err.message, /CAPIG_SECRET_KEY is required with DATABASE_URL/);
  }
});

test('trust proxy takes booleans, hop counts and address lists', () => {
  assert.equal(loadConfig({ CAPIG_TRUST_PROXY: 'true' }).http.trustProxy, true);
  assert.equal(loadConfig({ CAPIG_TRUST_PROXY: '2' }).http.trustProxy, 2);
  assert.deepEqual(loadConfig({ CAPIG_TRUST_PROXY: '10.0.0.0/8, loopback' }).http.trustProxy, [
    '10.0.0.0/8',
    'loopback',
  ]);
});

test('destinations reach public addresses by default; the allow list adds networks and host names, every bad entry listed', () => {
  assert.deepEqual(loadConfig({}).destinations.allow, { publicAddresses: true, cidrs: [], hostNames: [] });
  assert.deepEqual(
    loadConfig({ CAPIG_DESTINATION_ALLOW: 'public, 10.0.0.0/8, 192.168.1.7, fd00::/8, hooks.internal, *.corp.example' })
      .destinations.allow,
    {
      publicAddresses: true,
      cidrs: ['10.0.0.0/8', '192.168.1.7/32', 'fd00::/8'],
      hostNames: ['hooks.internal', '*.corp.example'],
    },
  );
  assert.equal(loadConfig({ CAPIG_DESTINATION_ALLOW: '127.0.0.1/32' }).destinations.allow.publicAddresses, false);
  try {
    loadConfig({ CAPIG_DESTINATION_ALLOW: 'public, 10.0.0.0/33, not a host, ::1/129', PORT: 'x' });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 2, err.message);
    assert.match(err.message, /CAPIG_DESTINATION_ALLOW .*\(bad: 10\.0\.0\.0\/33, not a host, ::1\/129\)/);
  }
});
