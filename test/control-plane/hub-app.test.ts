import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startTestGateway, type TestGateway } from '../harness.js';

// The dashboard's static files at /hub/: the app for every client-side route, long-cached hashed
// assets, a strict CSP, and the API routes under /hub/ untouched.
describe('dashboard: served at /hub/', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  const webDir = loadConfig({}).http.webDir;

  test('every client-side route gets the app, with a CSP and no caching of index.html', async () => {
    for (const path of ['/hub/', '/hub/login', '/hub/a/abc/events', '/hub/verify?token=x']) {
      const res = await fetch(`${gw.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      assert.match(await res.text(), /<div id="root">/);
    }
    const bare = await fetch(`${gw.url}/hub`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/hub/');
  });

  test('hashed assets are cached for good; unknown ones are 404 and paths cannot leave the folder', async () => {
    const asset = readdirSync(join(webDir, 'assets')).find((f) => f.endsWith('.js'));
    assert.ok(asset, `a built script in ${webDir}/assets (npm run build)`);
    const res = await fetch(`${gw.url}/hub/assets/${asset}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal((await fetch(`${gw.url}/hub/assets/missing-0000.js`)).status, 404);
    const outside = await fetch(`${gw.url}/hub/assets/..%2f..%2f..%2fpackage.json`);
    assert.ok(outside.status === 403 || outside.status === 404, `got ${outside.status}`);
  });

  test('the API under /hub/ is not shadowed, and link pages redirect into the app with their query', async () => {
    const health = await fetch(`${gw.url}/hub/health`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const gql = await fetch(`${gw.url}/hub/graphql/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    assert.equal(gql.status, 401, 'GraphQL answers, not the app');
    const link = await fetch(`${gw.url}/auth/verify/?token=abc&et=inv&email=a%40b.example`, { redirect: 'manual' });
    assert.equal(link.status, 302);
    assert.equal(link.headers.get('location'), '/hub/verify?token=abc&et=inv&email=a%40b.example');
  });

  test('a gateway whose dashboard is not built says so instead of failing', async () => {
    const bare = await startTestGateway({ env: { CAPIG_WEB_DIR: '/nonexistent/web' } });
    try {
      const res = await fetch(`${bare.url}/hub/`);
      assert.equal(res.status, 503);
      assert.match(((await res.json()) as any).error.message, /dashboard is not built.*npm run build/);
    } finally {
      await bare.stop();
    }
  });
});
