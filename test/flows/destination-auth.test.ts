import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type CapigTest, startCapigTest } from '../control-plane/capig-api.js';
import { newGatewayPipeline, newHttpDestination } from '../control-plane/capig-pipelines-api.js';
import { serverEvent, waitFor } from '../harness.js';
import { json, type Receiver, startReceiver } from '../http-receiver.js';

// Every auth type of a custom HTTP destination, set through /capig/graphql/ and delivered by the
// publisher to a real local server that checks the credentials as the advertiser's API would.

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Each path of the server checks one kind of credential; a wrong one gets 401. */
function authorized(r: { path: string; query: URLSearchParams; headers: Record<string, unknown> }): boolean {
  const auth = String(r.headers.authorization ?? '');
  switch (r.path) {
    case '/none':
      return auth === '';
    case '/key':
      return r.query.get('api_key') === 'qk-1';
    case '/basic':
      return auth === `Basic ${Buffer.from('ann:pa55').toString('base64')}`;
    case '/oauth':
      return auth === 'Bearer issued-1';
    case '/jwt': {
      const [h, p, s] = auth.replace(/^Bearer /, '').split('.') as [string, string, string];
      if (!s || !verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))) return false;
      return JSON.parse(Buffer.from(p, 'base64url').toString()).iss === 'svc@example.iam';
    }
    default:
      return false;
  }
}

describe('custom HTTP destinations: every auth type, end to end', () => {
  let t: CapigTest;
  let api: Receiver;
  let tenantId: string;
  let sourceId: string;
  let accessKey: string;
  let tokenRequests = 0;

  before(async () => {
    api = await startReceiver((r, res) => {
      if (r.path === '/token') {
        tokenRequests++;
        const form = new URLSearchParams(r.body);
        const ok = form.get('client_id') === 'app-1' && form.get('client_secret') === 'cs-1';
        return json(res, ok ? 200 : 401, ok ? { access_token: 'issued-1', expires_in: 3600 } : { error: 'no' });
      }
      json(res, authorized(r) ? 200 : 401, {});
    });
    t = await startCapigTest({ env: { CAPIG_DESTINATION_ALLOW: 'public,127.0.0.1/32' } });
    tenantId = await t.newAccount();
    let pl: string;
    ({ pipelineId: pl, sourceId, accessKey } = await newGatewayPipeline(t, tenantId, 'Auth'));
    const auths: Array<[string, Record<string, unknown>]> = [
      ['none', { authType: 'NONE' }],
      ['key', { authType: 'API_KEY', apiKeyAuth: { name: 'api_key', value: 'qk-1', addTo: 'QUERY_PARAM' } }],
      ['basic', { authType: 'BASIC', basicAuth: { credentials: 'ann:pa55' } }],
      [
        'oauth',
        {
          authType: 'CLIENT_CREDENTIALS',
          clientCredentialsAuth: {
            clientId: 'app-1',
            clientSecret: 'cs-1',
            authEndpoint: `${api.url}/token`,
            httpMethod: 'POST',
          },
        },
      ],
      [
        'jwt',
        {
          authType: 'JSON_WEB_TOKEN',
          jsonWebTokenAuth: { serviceUserAccount: 'svc@example.iam', privateKey: PRIVATE_PEM },
        },
      ],
    ];
    const payloadSchema =
      '{"ids":[{% for event in events %}{{ event.event_id | json }}{% unless forloop.last %},{% endunless %}{% endfor %}]}';
    for (const [path, auth] of auths) {
      await newHttpDestination(t, tenantId, pl, `API ${path}`, {
        endpoint: `${api.url}/${path}`,
        payloadSchema,
        ...auth,
      });
    }
  });

  after(async () => {
    await t?.stop();
    await api?.close();
  });

  test('each destination gets the events with its credentials; the OAuth token is fetched once and reused', async () => {
    for (const round of [1, 2]) {
      const events = [serverEvent(), serverEvent()];
      const res = await t.gw.postServer(sourceId, { data: events }, accessKey);
      assert.equal(res.status, 200);
      for (const path of ['/none', '/key', '/basic', '/oauth', '/jwt']) {
        await waitFor(
          () =>
            events.every((e) =>
              api.received.some((r) => r.path === path && authorized(r) && r.body.includes(e.event_id as string)),
            ),
          `round ${round}: ${path} accepted both events`,
        );
      }
    }
    assert.equal(tokenRequests, 1, 'one token for every send to the OAuth destination');
    const refused = api.received.filter((r) => r.path !== '/token' && !authorized(r));
    assert.deepEqual(refused, [], 'no request went out with wrong credentials');
  });
});
