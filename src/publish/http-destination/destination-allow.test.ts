import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CapiResponse } from '../capi-client.js';
import { destinationPolicy, parseDestinationAllow } from './destination-allow.js';
import {
  classifyHttpFailure,
  createHttpDestinationClient,
  type HttpDestinationConfig,
  type HttpTarget,
} from './http-destination-client.js';
import { capturedLogger, json, type Receiver, startReceiver } from '../../../test/http-receiver.js';

const events = [JSON.stringify({ event_name: 'Purchase', event_id: 'a' })];
let server: Receiver;

before(async () => {
  server = await startReceiver((req, res) => {
    if (req.path === '/token') return json(res, 200, { access_token: 'tok', expires_in: 3600 });
    return json(res, 200, { ok: true });
  });
});
after(() => server.close());

function target(endpoint: string, more: Partial<HttpDestinationConfig> = {}): HttpTarget {
  return {
    kind: 'http',
    destinationId: `sg_v1_dd_${Math.random()}`,
    config: { endpoint, httpMethod: 'POST', authType: 'NONE', payloadSchema: '{{ event_name }}', ...more },
    secrets: { clientSecret: 'client-secret-1' },
  };
}

/** Sends once through a client with this CAPIG_DESTINATION_ALLOW and closes it. */
async function sendWith(allow: string, t: HttpTarget): Promise<CapiResponse> {
  const client = createHttpDestinationClient({ allow: parseDestinationAllow(allow).allow, log: capturedLogger().log });
  try {
    return await client.send(t, events);
  } finally {
    await client.close();
  }
}

function refused(r: CapiResponse): string {
  assert.equal(r.ok, false, 'expected a refusal');
  if (r.ok) return '';
  assert.equal(r.status, null);
  assert.equal(classifyHttpFailure(r), 'pixel_config', 'held and retried slowly, not dead-lettered');
  assert.match(r.description, /not allowed: CAPIG_DESTINATION_ALLOW permits/);
  return r.description;
}

test('by default (public) the loopback is refused, by address or by a name that resolves to it', async () => {
  const before = server.received.length;
  const byAddress = refused(await sendWith('public', target(`${server.url}/hook`)));
  assert.match(
    byAddress,
    /destination 127\.0\.0\.1 is not allowed: CAPIG_DESTINATION_ALLOW permits public addresses; to allow it, add 127\.0\.0\.1\/32/,
  );
  const byName = refused(await sendWith('public', target(`http://localhost:${server.port}/hook`)));
  assert.match(byName, /destination localhost \((127\.0\.0\.1|::1)\) is not allowed/);
  assert.match(byName, /or the host name localhost to CAPIG_DESTINATION_ALLOW/);
  assert.equal(server.received.length, before, 'nothing reached the server');
});

test('a CIDR allows the addresses in it, by address or by name', async () => {
  assert.ok((await sendWith('public, 127.0.0.0/8', target(`${server.url}/hook`))).ok);
  assert.ok((await sendWith('127.0.0.1/32', target(`http://localhost:${server.port}/hook`))).ok);
  assert.equal(server.received.at(-1)?.body, 'Purchase');
  refused(await sendWith('10.0.0.0/8', target(`${server.url}/hook`)));
});

test('a listed host name is allowed whatever it resolves to; other names and literals are not', async () => {
  assert.ok((await sendWith('localhost', target(`http://localhost:${server.port}/hook`))).ok);
  refused(await sendWith('localhost', target(`${server.url}/hook`)));
});

test('the OAuth token endpoint is checked too', async () => {
  const t = target(`http://localhost:${server.port}/hook`, {
    authType: 'CLIENT_CREDENTIALS',
    clientId: 'app',
    authEndpoint: `${server.url}/token`,
  });
  const description = refused(await sendWith('localhost', t));
  assert.match(description, /^token endpoint: destination 127\.0\.0\.1 is not allowed/);
  assert.doesNotMatch(description, /client-secret-1/);
  assert.ok((await sendWith('localhost, 127.0.0.1', t)).ok);
});

test('the policy: public addresses, networks in either family, mapped IPv4', () => {
  const open = destinationPolicy(parseDestinationAllow('public').allow);
  for (const ip of ['8.8.8.8', '2606:4700::1111']) assert.equal(open.addressAllowed(ip), true, ip);
  for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.0.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:127.0.0.1']) {
    assert.equal(open.addressAllowed(ip), false, ip);
  }
  const inside = destinationPolicy(parseDestinationAllow('10.0.0.0/8, fd00::/8').allow);
  assert.equal(inside.addressAllowed('10.9.9.9'), true);
  assert.equal(inside.addressAllowed('::ffff:10.9.9.9'), true);
  assert.equal(inside.addressAllowed('fd12::1'), true);
  assert.equal(inside.addressAllowed('8.8.8.8'), false, 'public is not in the list');
  assert.equal(inside.hostNameAllowed('anything.example'), false);
  const names = destinationPolicy(parseDestinationAllow('hooks.internal, *.corp.example').allow);
  assert.equal(names.hostNameAllowed('HOOKS.internal.'), true);
  assert.equal(names.hostNameAllowed('a.b.corp.example'), true);
  assert.equal(names.hostNameAllowed('corp.example'), false);
  assert.equal(names.hostNameAllowed('evilcorp.example'), false);
});
