import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { CapiResponse } from '../capi-client.js';
import { parseDestinationAllow } from './destination-allow.js';
import {
  classifyHttpFailure,
  createHttpDestinationClient,
  type HttpDestinationClient,
  type HttpDestinationConfig,
  type HttpDestinationSecrets,
  type HttpTarget,
  retryAfterMs,
  validateHttpConfig,
} from './http-destination-client.js';
import { capturedLogger, json, type Receiver, startReceiver } from '../../../test/http-receiver.js';

const events = [
  JSON.stringify({ event_name: 'Purchase', event_id: 'a', custom_data: { value: 10, currency: 'EUR' } }),
  JSON.stringify({ event_name: 'Lead', event_id: 'b', user_data: { client_ip_address: '203.0.113.9' } }),
];
const BATCH = '{"data":[{% for e in events %}{{ e | json }}{% unless forloop.last %},{% endunless %}{% endfor %}]}';

let clock = Date.now();
const logged = capturedLogger();
let client: HttpDestinationClient;
let server: Receiver;
// What the destination does, per path; the OAuth server counts the tokens it issues.
let tokensIssued = 0;
const revoked = new Set<string>();
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

before(async () => {
  client = createHttpDestinationClient({
    allow: parseDestinationAllow('127.0.0.1/32').allow,
    log: logged.log,
    now: () => clock,
  });
  server = await startReceiver(async (req, res) => {
    switch (req.path) {
      case '/token': {
        const params = req.method === 'POST' ? new URLSearchParams(req.body) : req.query;
        if (params.get('client_id') !== 'app-1' || params.get('client_secret') !== 'cc-secret-value') {
          return json(res, 401, { error: 'invalid_client' });
        }
        assert.equal(params.get('grant_type'), 'client_credentials');
        if (req.method === 'POST') assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
        tokensIssued++;
        return json(res, 200, { access_token: `tok-${tokensIssued}`, token_type: 'Bearer', expires_in: 3600 });
      }
      case '/oauth-protected': {
        const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
        if (!token.startsWith('tok-') || revoked.has(token)) return json(res, 401, { error: 'invalid token' });
        return json(res, 200, { ok: true });
      }
      case '/status': {
        const status = Number(req.query.get('code'));
        const headers: Record<string, string> = {};
        if (req.query.get('retry')) headers['retry-after'] = req.query.get('retry') ?? '';
        return json(res, status, { answer: `status ${status}`, echo: req.headers['x-api-key'] ?? null }, headers);
      }
      case '/slow':
        return; // never answers
      default:
        return json(res, 200, { received: true });
    }
  });
});

after(async () => {
  await client.close();
  await server.close();
});

function target(
  config: Partial<HttpDestinationConfig>,
  secrets: HttpDestinationSecrets = {},
  id = 'sg_v1_dd_test',
): HttpTarget {
  return {
    kind: 'http',
    destinationId: id,
    config: { endpoint: `${server.url}/hook`, httpMethod: 'POST', authType: 'NONE', payloadSchema: BATCH, ...config },
    secrets,
  };
}

function failed(r: CapiResponse): Extract<CapiResponse, { ok: false }> {
  assert.equal(r.ok, false, 'expected a failure');
  return r as Extract<CapiResponse, { ok: false }>;
}

test('a batch is rendered through the template and POSTed as JSON; 2xx accepts every event', async () => {
  const r = await client.send(target({}), events);
  assert.deepEqual(r, {
    ok: true,
    eventsReceived: 2,
    fbtraceId: null,
    answer: { status: 200, body: '{"received":true}' },
  });
  const got = server.received.at(-1);
  assert.equal(got?.method, 'POST');
  assert.equal(got?.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(got?.body ?? ''), { data: events.map((e) => JSON.parse(e)) });
});

test('PUT sends the body too; a non-JSON rendering goes as text/plain', async () => {
  assert.ok(
    (
      await client.send(target({ httpMethod: 'PUT', payloadSchema: '{{ event_name }} {{ value }}' }), [
        events[0] as string,
      ])
    ).ok,
  );
  const got = server.received.at(-1);
  assert.equal(got?.method, 'PUT');
  assert.equal(got?.body, 'Purchase 10');
  assert.match(String(got?.headers['content-type']), /^text\/plain/);
});

test('GET sends no body: a JSON object becomes query parameters, anything else ?payload=', async () => {
  const flat = '{"event_name": {{ event_name | json }}, "value": {{ value | json }}, "ids": ["x", 1], "none": null}';
  assert.ok((await client.send(target({ httpMethod: 'GET', payloadSchema: flat }), [events[0] as string])).ok);
  let got = server.received.at(-1);
  assert.equal(got?.method, 'GET');
  assert.equal(got?.body, '');
  assert.deepEqual(Object.fromEntries(got?.query ?? []), {
    event_name: 'Purchase',
    value: '10',
    ids: '["x",1]',
    none: 'null',
  });
  assert.ok(
    (await client.send(target({ httpMethod: 'GET', payloadSchema: '{{ event_name }} & more' }), [events[0] as string]))
      .ok,
  );
  got = server.received.at(-1);
  assert.equal(got?.query.get('payload'), 'Purchase & more');
});

test('API key in a header or a query parameter', async () => {
  const secrets = { apiKeyValue: 'key-123456' };
  assert.ok(
    (
      await client.send(
        target({ authType: 'API_KEY', apiKeyName: 'X-Api-Key', apiKeyAddTo: 'HEADER' }, secrets),
        events,
      )
    ).ok,
  );
  assert.equal(server.received.at(-1)?.headers['x-api-key'], 'key-123456');
  assert.ok(
    (
      await client.send(
        target({ authType: 'API_KEY', apiKeyName: 'api_key', apiKeyAddTo: 'QUERY_PARAM' }, secrets),
        events,
      )
    ).ok,
  );
  assert.equal(server.received.at(-1)?.query.get('api_key'), 'key-123456');
});

test('basic auth sends user:password as Authorization: Basic', async () => {
  const r = await client.send(target({ authType: 'BASIC' }, { basicCredentials: 'ann:pa:ss word' }), events);
  assert.ok(r.ok);
  const header = String(server.received.at(-1)?.headers.authorization);
  assert.equal(Buffer.from(header.replace(/^Basic /, ''), 'base64').toString(), 'ann:pa:ss word');
});

test('OAuth client credentials: the token is fetched once, reused, renewed before it expires and after a 401', async () => {
  tokensIssued = 0;
  const t = target(
    {
      endpoint: `${server.url}/oauth-protected`,
      authType: 'CLIENT_CREDENTIALS',
      clientId: 'app-1',
      authEndpoint: `${server.url}/token`,
    },
    { clientSecret: 'cc-secret-value' },
    'sg_v1_dd_oauth',
  );
  for (let i = 0; i < 3; i++) assert.ok((await client.send(t, events)).ok);
  assert.equal(tokensIssued, 1, 'one token for three sends');
  assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer tok-1');

  clock += 3600_000; // the hour is up
  assert.ok((await client.send(t, events)).ok);
  assert.equal(tokensIssued, 2);
  assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer tok-2');

  revoked.add('tok-2'); // revoked before it expired: the destination answers 401
  assert.ok((await client.send(t, events)).ok);
  assert.equal(tokensIssued, 3);
  assert.equal(server.received.at(-1)?.headers.authorization, 'Bearer tok-3');

  // The token endpoint asked with GET takes the same parameters in the query.
  const viaGet = { ...t, destinationId: 'sg_v1_dd_oauth_get', config: { ...t.config, authHttpMethod: 'GET' as const } };
  assert.ok((await client.send(viaGet, events)).ok);
  assert.equal(tokensIssued, 4);
});

test('OAuth: a refused client is held (configuration), and its secret appears nowhere', async () => {
  const t = target(
    {
      endpoint: `${server.url}/oauth-protected`,
      authType: 'CLIENT_CREDENTIALS',
      clientId: 'app-1',
      authEndpoint: `${server.url}/token`,
    },
    { clientSecret: 'wrong-secret-value' },
    'sg_v1_dd_oauth_bad',
  );
  const r = failed(await client.send(t, events));
  assert.equal(classifyHttpFailure(r), 'pixel_config');
  assert.match(r.description, /token request to 127\.0\.0\.1:\d+ failed: HTTP 401/);
  assert.doesNotMatch(JSON.stringify(r), /wrong-secret-value/);
  assert.doesNotMatch(logged.lines.join(''), /wrong-secret-value|cc-secret-value/);
});

test('JSON web token: an RS256 JWT the service account signs, verified with its public key, reused until near expiry', async () => {
  const t = target(
    { authType: 'JSON_WEB_TOKEN', serviceUserAccount: 'svc@example.iam' },
    { privateKey: privatePem },
    'sg_v1_dd_jwt',
  );
  assert.ok((await client.send(t, events)).ok);
  const jwt = String(server.received.at(-1)?.headers.authorization).replace(/^Bearer /, '');
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  assert.ok(verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url')));
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'RS256', typ: 'JWT' });
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  assert.equal(claims.iss, 'svc@example.iam');
  assert.equal(claims.sub, 'svc@example.iam');
  assert.equal(claims.aud, server.url);
  assert.equal(claims.iat, Math.floor(clock / 1000));
  assert.equal(claims.exp, claims.iat + 3600);

  assert.ok((await client.send(t, events)).ok);
  assert.equal(String(server.received.at(-1)?.headers.authorization), `Bearer ${jwt}`, 'reused');
  clock += 56 * 60_000;
  assert.ok((await client.send(t, events)).ok);
  assert.notEqual(String(server.received.at(-1)?.headers.authorization), `Bearer ${jwt}`, 'signed anew near expiry');
});

test("each answer is classified by HTTP status, with the destination's answer as the error", async () => {
  const at = (code: number, retry?: string) =>
    target({ endpoint: `${server.url}/status?code=${code}${retry ? `&retry=${encodeURIComponent(retry)}` : ''}` });
  const cases: Array<[number, string]> = [
    [400, 'invalid_events'],
    [422, 'invalid_events'],
    [401, 'pixel_config'],
    [403, 'pixel_config'],
    [408, 'transient'],
    [429, 'throttled'],
    [500, 'transient'],
    [503, 'transient'],
  ];
  for (const [code, expected] of cases) {
    const r = failed(await client.send(at(code), events));
    assert.equal(r.status, code);
    assert.equal(r.error?.code, code);
    assert.deepEqual(JSON.parse(r.error?.message ?? ''), { answer: `status ${code}`, echo: null });
    assert.match(r.description, new RegExp(`^HTTP ${code} from 127\\.0\\.0\\.1:\\d+: `));
    assert.equal(classifyHttpFailure(r), expected, String(code));
  }
  assert.equal(failed(await client.send(at(429, '7'), events)).retryAfterMs, 7000);
  const date = new Date(Date.now() + 120_000).toUTCString();
  const ms = failed(await client.send(at(503, date), events)).retryAfterMs ?? 0;
  assert.ok(ms > 100_000 && ms <= 120_000, String(ms));
  assert.equal(failed(await client.send(at(500), events)).retryAfterMs, null);
});

test('a destination that does not answer in time is a transient failure', async () => {
  const r = failed(await client.send(target({ endpoint: `${server.url}/slow`, timeoutMs: 200 }), events));
  assert.equal(r.status, null);
  assert.match(r.description, /no answer within 200 ms/);
  assert.equal(classifyHttpFailure(r), 'transient');
});

test('a destination that is down is a transient failure', async () => {
  const down = await startReceiver(() => {});
  await down.close();
  const r = failed(await client.send(target({ endpoint: `${down.url}/hook` }), events));
  assert.equal(r.status, null);
  assert.match(r.description, /ECONNREFUSED/);
  assert.equal(classifyHttpFailure(r), 'transient');
});

test('a template that fails on a batch, or a per-event template given several, is bisected; settings that cannot work are held', async () => {
  const render = failed(await client.send(target({ payloadSchema: '{{ event_name }}' }), ['{broken']));
  assert.equal(classifyHttpFailure(render), 'invalid_events');
  const perEvent = failed(await client.send(target({ payloadSchema: '{{ event_name }}' }), events));
  assert.equal(classifyHttpFailure(perEvent), 'invalid_events', 'split until each event goes alone');
  assert.ok((await client.send(target({ payloadSchema: '{{ event_name }}' }), [events[1] as string])).ok);
  assert.equal(server.received.at(-1)?.body, 'Lead');
  const config = failed(await client.send(target({ authType: 'BASIC' }, { basicCredentials: 'no-colon' }), events));
  assert.equal(classifyHttpFailure(config), 'pixel_config');
  assert.match(config.description, /basic auth needs credentials as user:password/);
});

test('test() shows the request with its secrets masked and the answer; an echoed secret is masked too', async () => {
  const t = target(
    { endpoint: `${server.url}/status?code=400`, authType: 'API_KEY', apiKeyName: 'X-Api-Key', apiKeyAddTo: 'HEADER' },
    { apiKeyValue: 'echoed-key-value' },
  );
  const r = await client.test(t, [events[0] as string]);
  assert.equal(r.request?.method, 'POST');
  assert.equal(r.request?.headers['x-api-key'], '[redacted]');
  assert.equal(r.request?.url, `${server.url}/status?code=400`);
  assert.equal(r.response?.status, 400);
  assert.match(r.response?.body ?? '', /"echo":"\[redacted\]"/);
  assert.match(r.error ?? '', /^HTTP 400/);
  assert.doesNotMatch(JSON.stringify(r), /echoed-key-value/);

  const ok = await client.test(target({ authType: 'BASIC' }, { basicCredentials: 'ann:secret-pass' }), events);
  assert.equal(ok.error, null);
  assert.equal(ok.request?.headers.authorization, 'Basic [redacted]');
  assert.equal(ok.response?.status, 200);
  assert.deepEqual(JSON.parse(ok.request?.body ?? ''), { data: events.map((e) => JSON.parse(e)) });

  const q = await client.test(
    target({ authType: 'API_KEY', apiKeyName: 'k', apiKeyAddTo: 'QUERY_PARAM' }, { apiKeyValue: 'query key/1' }),
    events,
  );
  assert.doesNotMatch(q.request?.url ?? '', /query/);
  assert.match(q.request?.url ?? '', /k=%5Bredacted%5D|k=\[redacted\]/);
});

test('validateHttpConfig lists every problem', () => {
  const problems = validateHttpConfig(
    {
      endpoint: 'ftp://x',
      httpMethod: 'PATCH' as 'PUT',
      authType: 'CLIENT_CREDENTIALS',
      payloadSchema: '{% include "x" %}',
      timeoutMs: 10,
      authEndpoint: 'https://user:pw@auth.example.com/token',
    },
    {},
  );
  assert.equal(problems.length, 7, problems.join('\n'));
  assert.deepEqual(validateHttpConfig(target({}).config, {}), []);
  assert.match(
    validateHttpConfig(
      { ...target({}).config, authType: 'JSON_WEB_TOKEN', serviceUserAccount: 'a' },
      { privateKey: 'nope' },
    ).join(),
    /privateKey is not a PEM private key/,
  );
});

test('Retry-After in seconds or as a date', () => {
  assert.equal(retryAfterMs('30', 0), 30_000);
  assert.equal(retryAfterMs(new Date(90_000).toUTCString(), 30_000), 60_000);
  assert.equal(retryAfterMs(new Date(0).toUTCString(), 30_000), 0);
  assert.equal(retryAfterMs('soon', 0), null);
  assert.equal(retryAfterMs(undefined, 0), null);
});
