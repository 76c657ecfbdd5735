import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../harness.js';
import { apiToken, createAccount, errorCode, signInAs } from './people.js';

// Data routing on /hub/graphql/: an account's first-party domain and its CNAME check. DNS is a
// fake here: these names resolve as the test says, others fail like NXDOMAIN.

// Meta's sample documents (B.3/B.7): the variable is declared String! where the schema says ID!.
const UPSERT = `mutation IngressEditingModalMutation($tenantId: String!, $input: IngressDomainInput!) {
  upsertIngressDomain(tenantId: $tenantId, input: $input) {
    id tenantName ingress tenant1pDomain tenant1pDomainStatus cnameResolveSuccess
  }
}`;
const GET = `query DataRoutingQuery($tenantId: String!) {
  ingressDomain(tenantId: $tenantId) { id ingress tenantName cnameResolveSuccess }
}`;

describe('hub: data routing', () => {
  let gw: TestGateway;
  const cnames = new Map<string, string[]>();
  before(async () => {
    gw = await startTestGateway({
      lookupCname: async (host) => {
        const answer = cnames.get(host);
        if (!answer) throw Object.assign(new Error(`queryCname ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        return answer;
      },
    });
  });
  after(() => gw.stop());

  test("Meta's upsertIngressDomain and DataRoutingQuery samples", async () => {
    const api = await apiToken(gw);
    const tenantId = await createAccount(gw, { id: 'IaoreXfj', name: 'Tenant for test@meta.com' });
    const r = await api.gql(UPSERT, {
      tenantId: 'IaoreXfj',
      input: { ingress: 'capig.advertiser.com', targetDomain: 'capig.targetDomain.com' },
    });
    assert.equal(r.body.errors, undefined);
    assert.deepEqual(r.body.data.upsertIngressDomain, {
      id: `${tenantId}:ingress`,
      tenantName: 'Tenant for test@meta.com',
      ingress: 'capig.advertiser.com',
      tenant1pDomain: 'capig.advertiser.com',
      tenant1pDomainStatus: 'DOMAIN_NOT_SELECTED',
      cnameResolveSuccess: false,
    });

    // Once the CNAME exists (any case, trailing dot), the check succeeds.
    cnames.set('capig.advertiser.com', ['CAPIG.targetdomain.com.']);
    const g = await api.gql(GET, { tenantId: 'IaoreXfj' });
    assert.deepEqual(g.body.data.ingressDomain, {
      id: 'IaoreXfj:ingress',
      ingress: 'capig.advertiser.com',
      tenantName: 'Tenant for test@meta.com',
      cnameResolveSuccess: true,
    });
    const verified = await api.gql(
      `query ($t: ID!) { ingressDomain(tenantId: $t) { targetDomain tenant1pDomainStatus
         enhancementTenantIngressVerifiedResult { id tenantIngressVerified } } }`,
      { t: tenantId },
    );
    assert.deepEqual(verified.body.data.ingressDomain, {
      targetDomain: 'capig.targetdomain.com',
      tenant1pDomainStatus: 'DOMAIN_VERIFIED',
      enhancementTenantIngressVerifiedResult: { id: 'IaoreXfj:tenantIngressVerified', tenantIngressVerified: true },
    });
  });

  test('an account without a domain answers ingress null; bad names are 400; a taken domain is 409', async () => {
    const api = await apiToken(gw);
    const a = await createAccount(gw);
    const b = await createAccount(gw);
    const empty = await api.gql(GET, { tenantId: a });
    assert.deepEqual(empty.body.data.ingressDomain, {
      id: `${a}:ingress`,
      ingress: null,
      tenantName: `Account ${a}`,
      cnameResolveSuccess: false,
    });
    const bad = await api.gql(UPSERT, {
      tenantId: a,
      input: { ingress: 'not a domain', targetDomain: 'gw.example.com' },
    });
    assert.equal(errorCode(bad), 400);
    await api.gql(UPSERT, { tenantId: a, input: { ingress: 'shop.a.example', targetDomain: 'gw.example.com' } });
    const taken = await api.gql(UPSERT, {
      tenantId: b,
      input: { ingress: 'SHOP.a.example', targetDomain: 'gw.example.com' },
    });
    assert.equal(errorCode(taken), 409);
    assert.doesNotMatch(taken.body.errors?.[0]?.message ?? '', new RegExp(a));
    // The same account may change its own.
    const moved = await api.gql(UPSERT, {
      tenantId: a,
      input: { ingress: 'shop.a.example', targetDomain: 'gw2.example.com' },
    });
    assert.equal(moved.body.data.upsertIngressDomain.ingress, 'shop.a.example');
  });

  test('view users read, manage users write; other accounts and unmanaged ones are 404', async () => {
    const mine = await createAccount(gw);
    const hidden = await createAccount(gw, { managed: false });
    const viewer = await signInAs(gw, { roles: [`advertiser-view-${mine}`] });
    const manager = await signInAs(gw, { roles: [`advertiser-manage-${mine}`] });
    const input = { ingress: `www.${mine.toLowerCase()}.example`, targetDomain: 'gw.example.com' };
    assert.equal((await viewer.gql(GET, { tenantId: mine })).body.data.ingressDomain.id, `${mine}:ingress`);
    const refused = await viewer.gql(UPSERT, { tenantId: mine, input });
    assert.equal(errorCode(refused), 401);
    assert.equal(refused.body.data.upsertIngressDomain, null);
    assert.equal(
      (await manager.gql(UPSERT, { tenantId: mine, input })).body.data.upsertIngressDomain.ingress,
      input.ingress,
    );

    const api = await apiToken(gw);
    for (const [who, tenantId] of [
      [viewer, hidden],
      [api, hidden],
    ] as const) {
      const r = await who.gql(GET, { tenantId });
      assert.equal(errorCode(r), 404);
      assert.equal(r.body.data.ingressDomain, null);
      assert.equal(
        errorCode(await who.gql(UPSERT, { tenantId, input: { ...input, ingress: 'x.hidden.example' } })),
        404,
      );
    }
  });
});
