import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../harness.js';
import { apiToken, createAccount, errorCode, signInAs } from './people.js';

// API accounts on /hub/graphql/ (our extension; Meta's UI "Manage API accounts"): host admins who
// are people create them, re-entering their password; the secret is shown once.

const CREATE = `mutation ($name: String!, $password: String) {
  apiAccountMutations { createApiAccount(name: $name, password: $password) {
    clientId clientSecret apiAccount { id name createdAt lastUsedAt } } } }`;
const DELETE = 'mutation ($id: String!) { apiAccountMutations { deleteApiAccount(id: $id) } }';
const LIST = '{ apiAccounts { id name createdAt lastUsedAt } }';

const exchange = (gw: TestGateway, clientId: string, clientSecret: string) =>
  fetch(`${gw.url}/clients/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials' }),
  });

describe('hub: API accounts', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  test('a host admin creates one with their password; the secret works once shown, and is never listed', async () => {
    const admin = await signInAs(gw, { roles: ['agency-admin'] });
    const r = await admin.gql(CREATE, { name: 'Partner1', password: admin.password });
    assert.equal(r.body.errors, undefined);
    const created = r.body.data.apiAccountMutations.createApiAccount;
    assert.equal(created.clientId, 'Partner1');
    assert.equal(created.apiAccount.name, 'Partner1');
    assert.equal(created.apiAccount.lastUsedAt, null);
    assert.ok(created.clientSecret.length >= 40);

    const token = await exchange(gw, 'Partner1', created.clientSecret);
    assert.equal(token.status, 200);
    const body = (await token.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 36000);
    assert.equal(body.access_token, body.token);

    const list = await admin.gql(LIST);
    const listed = list.body.data.apiAccounts.find((a: { name: string }) => a.name === 'Partner1');
    assert.ok(listed.lastUsedAt);
    assert.ok(!JSON.stringify(list.body).includes(created.clientSecret));
    const rows = await gw.gateway.db.query<{ secret_hash: string }>('SELECT secret_hash FROM api_accounts');
    assert.ok(rows.every((x) => !x.secret_hash.includes(created.clientSecret)));
  });

  test('wrong or missing password, bad or taken name', async () => {
    const admin = await signInAs(gw, { roles: ['agency-admin'] });
    const wrong = await admin.gql(CREATE, { name: 'Partner2', password: 'not-my-password' });
    assert.equal(errorCode(wrong), 401);
    assert.equal(wrong.body.data.apiAccountMutations.createApiAccount, null);
    assert.equal(errorCode(await admin.gql(CREATE, { name: 'Partner2' })), 400);
    assert.equal(errorCode(await admin.gql(CREATE, { name: 'has space', password: admin.password })), 400);
    assert.equal(errorCode(await admin.gql(CREATE, { name: 'x'.repeat(21), password: admin.password })), 400);
    assert.equal((await admin.gql(CREATE, { name: 'Partner2', password: admin.password })).body.errors, undefined);
    assert.equal(errorCode(await admin.gql(CREATE, { name: 'Partner2', password: admin.password })), 409);
  });

  test('re-entering the password is throttled like a login', async () => {
    const admin = await signInAs(gw, { roles: ['agency-admin'] });
    for (let i = 0; i < 5; i++) await admin.gql(CREATE, { name: `Guess${i}`, password: `guess-${i}-password` });
    const locked = await admin.gql(CREATE, { name: 'Guess9', password: admin.password });
    assert.equal(errorCode(locked), 401);
    assert.match(locked.body.errors?.[0]?.message ?? '', /too many wrong passwords/);
  });

  test('API accounts, host managers and account admins cannot create or delete API accounts', async () => {
    const api = await apiToken(gw);
    const r = await api.gql(CREATE, { name: 'Child', password: 'whatever-password' });
    assert.equal(errorCode(r), 401);
    assert.match(r.body.errors?.[0]?.message ?? '', /API accounts cannot create API accounts/);
    const [victim] = (await api.gql(LIST)).body.data.apiAccounts;
    assert.equal(errorCode(await api.gql(DELETE, { id: victim.id })), 401);

    const t = await createAccount(gw);
    for (const roles of [['agency-manage'], [`advertiser-admin-${t}`]]) {
      const who = await signInAs(gw, { roles });
      assert.equal(errorCode(await who.gql(CREATE, { name: 'Nope', password: who.password })), 401);
      assert.equal(errorCode(await who.gql(LIST)), 401);
      assert.equal(errorCode(await who.gql(DELETE, { id: victim.id })), 401);
    }
  });

  test('deleting an API account ends its tokens at once', async () => {
    const admin = await signInAs(gw, { roles: ['agency-admin'] });
    const api = await apiToken(gw);
    assert.equal((await api.gql('{ tenants { id } }')).status, 200);
    const [row] = await gw.gateway.db.query<{ id: string }>('SELECT id FROM api_accounts WHERE name = $1', [
      api.clientId,
    ]);
    const r = await admin.gql(DELETE, { id: row?.id });
    assert.equal(r.body.data.apiAccountMutations.deleteApiAccount, true);
    assert.equal((await api.gql('{ tenants { id } }')).status, 401);
    assert.equal((await exchange(gw, api.clientId, api.clientSecret)).status, 401);
    assert.equal(errorCode(await admin.gql(DELETE, { id: row?.id })), 404);
  });
});
