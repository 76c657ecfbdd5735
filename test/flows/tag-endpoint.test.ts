import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { createIngressDomainsRepo } from '../../src/database/repos/ingress-domains-repo.js';
import { startTestGateway, type TestGateway } from '../harness.js';

// The served tag embeds where it sends events. That address must never come from a header a client
// controls (Host, X-Forwarded-Host): the answer is cacheable, so one poisoned answer would send every
// visitor's events to the attacker. Only a Host that is an active account's first-party domain, or
// CAPIG_PUBLIC_URL, may appear in it.

function getTag(gw: TestGateway, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/sdk/1234567890/events.js', gw.url), { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The endpoint the tag was rendered with (the last argument of its wrapper). */
const endpointOf = (body: string) => /\}\)\(window, document, "\d+", ("[^"]*")\);\s*$/.exec(body)?.[1];

describe('the served tag never takes its endpoint from client headers', () => {
  test('without CAPIG_PUBLIC_URL: a foreign Host or X-Forwarded-Host is ignored; a first-party domain is used', async () => {
    const gw = await startTestGateway({ env: { CAPIG_TRUST_PROXY: 'true' } });
    try {
      for (const headers of <Record<string, string>[]>[
        { host: 'evil.example' },
        { host: 'evil.example:8080', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
        { host: '127.0.0.1', 'x-forwarded-host': 'evil.example' },
      ]) {
        const tag = await getTag(gw, headers);
        assert.equal(tag.status, 200);
        assert.ok(!tag.body.includes('evil.example'), `${JSON.stringify(headers)}: evil.example is not in the tag`);
        assert.equal(endpointOf(tag.body), '""', 'no endpoint: the tag sends to where it was loaded from');
      }

      const live = await gw.addPixel();
      const repo = createIngressDomainsRepo(gw.gateway.db);
      assert.equal(await repo.upsert([live.tenantId], live.tenantId, 'capig.shop.example', 'shop.example'), 'ok');
      const firstParty = await getTag(gw, { host: 'CAPIG.shop.example:443', 'x-forwarded-host': 'evil.example' });
      assert.equal(endpointOf(firstParty.body), '"//capig.shop.example"');

      // A deactivated account's domain is no longer vouched for (after the short cache).
      const gone = await gw.addPixel();
      await repo.upsert([gone.tenantId], gone.tenantId, 'capig.gone.example', 'gone.example');
      await gw.gateway.db.query('UPDATE tenants SET status = 2 WHERE id = $1', [gone.tenantId]);
      assert.equal(endpointOf((await getTag(gw, { host: 'capig.gone.example' })).body), '""');
    } finally {
      await gw.stop();
    }
  });

  test('with CAPIG_PUBLIC_URL: that URL, whatever the Host says', async () => {
    const gw = await startTestGateway({
      env: { CAPIG_PUBLIC_URL: 'https://gw.agency.example', CAPIG_TRUST_PROXY: '1' },
    });
    try {
      const tag = await getTag(gw, { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
      assert.equal(endpointOf(tag.body), '"https://gw.agency.example"');
      assert.ok(!tag.body.includes('evil.example'));
    } finally {
      await gw.stop();
    }
  });
});
