import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../harness.js';
import { apiToken, createAccount, createPerson, signInAs } from './people.js';

// One caller's query must not be able to stall everyone: nested lists are priced before anything
// runs, depth is counted through named fragments, a DNS lookup is priced and shared, and the
// nested loads that remain are one query per level.
describe('GraphQL query cost', () => {
  let gw: TestGateway;
  let lookups = 0;
  before(async () => {
    gw = await startTestGateway({
      lookupCname: async () => {
        lookups++;
        await new Promise((r) => setTimeout(r, 20));
        return ['gw.agency.example.'];
      },
    });
  });
  after(() => gw.stop());

  test('a view-only user nesting users and accounts nine deep is refused before it runs', async () => {
    const tenantId = await createAccount(gw);
    for (let i = 0; i < 5; i++) await createPerson(gw, { roles: [`advertiser-view-${tenantId}`] });
    const viewer = await signInAs(gw, { roles: [`advertiser-view-${tenantId}`] });
    const nested =
      'users { email tenants { users { email tenants { users { email tenants { users { email } } } } } } }';
    const started = Date.now();
    const r = await viewer.gql(`query ($t: String!) { tenant(tenantId: $t) { ${nested} } }`, { t: tenantId });
    assert.equal(r.status, 400);
    assert.match(r.body.errors?.[0]?.message ?? '', /would cost \d+, more than the limit of 10000/);
    assert.ok(Date.now() - started < 2_000, 'answered at once');

    // One level of each is fine, and right.
    const ok = await viewer.gql(`query ($t: String!) { tenant(tenantId: $t) { users { email tenants { id } } } }`, {
      t: tenantId,
    });
    assert.equal(ok.body.errors, undefined, JSON.stringify(ok.body.errors));
    const users = ok.body.data.tenant.users as Array<{ email: string; tenants: Array<{ id: string }> }>;
    assert.equal(users.length, 6);
    for (const u of users) assert.deepEqual(u.tenants, [{ id: tenantId }]);
  });

  test('named fragments count towards depth, and a fragment cycle is refused', async () => {
    const api = await apiToken(gw);
    const chain = Array.from({ length: 14 }, (_, i) =>
      i % 2 === 0
        ? `fragment F${i} on Tenant { id users { ...F${i + 1} } }`
        : `fragment F${i} on User { id tenants { ...F${i + 1} } }`,
    );
    chain.push('fragment F14 on Tenant { id }');
    const deep = await api.gql(`query { tenants { ...F0 } } ${chain.join(' ')}`);
    assert.equal(deep.status, 400);
    assert.match(deep.body.errors?.[0]?.message ?? '', /nested deeper than 12 levels/);

    const cycle = await api.gql(
      'query { tenants { ...A } } fragment A on Tenant { users { ...B } } fragment B on User { tenants { ...A } }',
    );
    assert.equal(cycle.status, 400);
  });

  test('DNS lookups are priced: 300 aliases are refused, 20 aliases make one lookup', async () => {
    const api = await apiToken(gw);
    const tenantId = await createAccount(gw);
    const upsert = await api.gql(
      'mutation ($t: ID!) { upsertIngressDomain(tenantId: $t, input: { ingress: "capig.cost.example", targetDomain: "gw.agency.example" }) { cnameResolveSuccess } }',
      { t: tenantId },
    );
    assert.equal(upsert.body.data.upsertIngressDomain.cnameResolveSuccess, true);
    const aliases = (n: number) =>
      `query ($t: ID!) { ${Array.from({ length: n }, (_, i) => `a${i}: ingressDomain(tenantId: $t) { cnameResolveSuccess }`).join(' ')} }`;
    const before = lookups;
    const many = await api.gql(aliases(300), { t: tenantId });
    assert.equal(many.status, 400);
    assert.match(many.body.errors?.[0]?.message ?? '', /would cost/);
    assert.equal(lookups, before, 'nothing was looked up');

    const some = await api.gql(aliases(20), { t: tenantId });
    assert.equal(some.body.errors, undefined, JSON.stringify(some.body.errors));
    assert.ok(Object.values(some.body.data).every((d: any) => d.cnameResolveSuccess === true));
    assert.ok(lookups - before <= 1, `one lookup for 20 aliases (made ${lookups - before})`);
  });
});
