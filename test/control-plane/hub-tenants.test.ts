import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverEvent, startTestGateway, type TestGateway, waitFor } from '../harness.js';
import { addPixelTo, anonymous, apiToken, createAccount, errorCode, logIn, signInAs } from './people.js';

// Accounts on /hub/graphql/: create, read, update, delete, usage, list; and who may do each.

// Meta's sample request (B.7), verbatim.
const CREATE_TENANT_SAMPLE =
  'mutation CreateTenantMutation($input: CreateTenantInput!){tenantMutations{createTenant(input:$input){tenant{id name status canPartnerManage}}}}';

const CREATE = `mutation ($input: CreateTenantInput!) {
  tenantMutations { createTenant(input: $input) {
    invitationLink
    tenant { id name status canPartnerManage eventEnrichment canEditTenantSettingsInUI canViewTenantInUI canEditTenantUsersInUI }
  } } }`;
const TENANT = `query TenantAccountUsersViewQuery($tenantId: String!) {
  tenant(tenantId: $tenantId) {
    id name status canPartnerManage canEditTenantSettingsInUI canViewTenantInUI canEditTenantUsersInUI
    users { id email status isSelf canBeDeleted roles { name displayName tenantName } }
    availableRoles { name displayName tenantName }
  } }`;
const UPDATE = `mutation TenantEditNameModalMutation($input: UpdateTenantInput!) {
  tenantMutations { updateTenant(input: $input) { tenant { id name status canPartnerManage } } } }`;
const DELETE = 'mutation DeleteTenant($tenantId: String!) { tenantMutations { deleteTenant(tenantId: $tenantId) } }';
const USAGE = `query TenantUsageQuery($tenantId: String!) {
  tenantUsage(tenantId: $tenantId) {
    totalPixels totalActivePixels totalInactivePixels pixelIds totalActivePipeline totalPipelines
    tenantUsageByTraffic { totalEventsReceived totalPixelsWithTraffic publishError durationInHours lastUpdatedAt }
  } }`;
const LIST = '{ tenants { id name status canPartnerManage } }';

describe('hub: accounts', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ env: { CAPIG_PUBLIC_URL: 'http://localhost:8443' } });
  });
  after(() => gw.stop());

  test("Meta's CreateTenantMutation sample creates an active managed account", async () => {
    const api = await apiToken(gw);
    const r = await api.gql(CREATE_TENANT_SAMPLE, {
      input: { name: 'TestAdvertiserViaAPI', canPartnerManage: true, eventEnrichment: true },
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.errors, undefined);
    const tenant = r.body.data.tenantMutations.createTenant.tenant;
    assert.match(tenant.id, /^[A-Za-z0-9]{8}$/);
    assert.deepEqual(tenant, { id: tenant.id, name: 'TestAdvertiserViaAPI', status: 0, canPartnerManage: true });

    // The API account reaches it at once; the UI flags are false for a caller without a UI.
    const read = await api.gql(TENANT, { tenantId: tenant.id });
    assert.equal(read.body.data.tenant.name, 'TestAdvertiserViaAPI');
    assert.equal(read.body.data.tenant.canViewTenantInUI, false);
    assert.equal(read.body.data.tenant.canEditTenantSettingsInUI, false);
    assert.deepEqual(read.body.data.tenant.users, []);
    assert.deepEqual(
      read.body.data.tenant.availableRoles.map((r: { name: string }) => r.name),
      ['admin', 'manage', 'view'].map((l) => `advertiser-${l}-${tenant.id}`),
    );
    const listed = await api.gql(LIST);
    assert.ok(listed.body.data.tenants.some((t: { id: string }) => t.id === tenant.id));
  });

  test('a person who creates a managed account becomes its admin', async () => {
    const host = await signInAs(gw, { roles: ['agency-admin'] });
    const r = await host.gql(CREATE, { input: { name: 'Shop', canPartnerManage: true, eventEnrichment: false } });
    const tenant = r.body.data.tenantMutations.createTenant.tenant;
    assert.equal(r.body.data.tenantMutations.createTenant.invitationLink, null);
    assert.equal(tenant.canEditTenantUsersInUI, true);
    const read = await host.gql(TENANT, { tenantId: tenant.id });
    const [me] = read.body.data.tenant.users;
    assert.equal(me.email, host.email);
    assert.equal(me.isSelf, true);
    assert.equal(me.canBeDeleted, false, 'the sole admin of the account');
    assert.deepEqual(
      me.roles.find((x: { name: string }) => x.name.startsWith('advertiser')),
      {
        name: `advertiser-admin-${tenant.id}`,
        displayName: 'admin',
        tenantName: 'Shop',
      },
    );
  });

  test('an unmanaged account needs adminEmail, waits for its admin, and is hidden from host principals', async () => {
    const api = await apiToken(gw);
    const missing = await api.gql(CREATE, { input: { name: 'Solo', canPartnerManage: false, eventEnrichment: false } });
    assert.equal(errorCode(missing), 400);
    assert.match(missing.body.errors?.[0]?.message ?? '', /adminEmail is required/);

    const r = await api.gql(CREATE, {
      input: { name: 'Solo', canPartnerManage: false, adminEmail: 'Owner@Solo.example', eventEnrichment: true },
    });
    const created = r.body.data.tenantMutations.createTenant;
    assert.equal(created.tenant.status, 1, 'setup in progress');
    assert.equal(created.tenant.canPartnerManage, false);
    const link = new URL(created.invitationLink);
    assert.equal(`${link.origin}${link.pathname}`, 'http://localhost:8443/auth/verify/');
    assert.equal(link.searchParams.get('et'), 'inv');
    assert.equal(link.searchParams.get('email'), 'owner@solo.example');
    assert.match(link.searchParams.get('token') ?? '', /^[A-Za-z0-9_-]{22}$/);
    const id = created.tenant.id;

    // Neither the API account nor a host admin sees it...
    const host = await signInAs(gw, { roles: ['agency-admin'] });
    for (const who of [api, host]) {
      const read = await who.gql(TENANT, { tenantId: id });
      assert.equal(errorCode(read), 404);
      assert.equal(read.body.data.tenant, null);
      assert.ok(!(await who.gql(LIST)).body.data.tenants.some((t: { id: string }) => t.id === id));
      assert.equal(errorCode(await who.gql(UPDATE, { input: { tenantId: id, name: 'Mine' } })), 404);
      assert.equal(errorCode(await who.gql(DELETE, { tenantId: id })), 404);
    }
    // ...but host admins may read its usage (Meta's partial integration bills by it), without pixel ids.
    const usage = await api.gql(USAGE, { tenantId: id });
    assert.equal(usage.body.data.tenantUsage.totalPixels, 0);
    assert.equal(usage.body.data.tenantUsage.pixelIds, null);
    // ...and list it on Manage accounts, with its name and status but nothing inside it.
    const ALL = `{ tenants(includeUnmanaged: true) { id name status canPartnerManage canViewTenantInUI
      users { id } availableRoles { name } } }`;
    const listed = (await host.gql(ALL)).body.data.tenants.find((t: { id: string }) => t.id === id);
    assert.deepEqual(listed, {
      id,
      name: created.tenant.name,
      status: 1,
      canPartnerManage: false,
      canViewTenantInUI: false,
      users: [],
      availableRoles: [],
    });
    const viewer = await signInAs(gw, { roles: ['agency-view'] });
    assert.ok(
      !(await viewer.gql(ALL)).body.data.tenants.some((t: { id: string }) => t.id === id),
      'only host admins list unmanaged accounts',
    );

    // The invited admin signs up through the link: the account becomes active and theirs.
    const signup = await fetch(`${gw.url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: link.searchParams.get('token'),
        email: 'owner@solo.example',
        password: 'a-long-password',
      }),
    });
    assert.equal(signup.status, 200);
    const owner = await logIn(gw, 'owner@solo.example', 'a-long-password');
    const read = await owner.gql(TENANT, { tenantId: id });
    assert.equal(read.body.data.tenant.status, 0);
    assert.equal(read.body.data.tenant.users[0].email, 'owner@solo.example');
    assert.equal(read.body.data.tenant.users[0].status, 1);
    assert.equal(read.body.data.tenant.canViewTenantInUI, true);
  });

  test('only host admins create accounts', async () => {
    const input = { name: 'X', canPartnerManage: true, eventEnrichment: false };
    const a = await createAccount(gw);
    for (const roles of [['agency-manage'], ['agency-view'], [`advertiser-admin-${a}`]]) {
      const who = await signInAs(gw, { roles });
      const r = await who.gql(CREATE, { input });
      assert.equal(errorCode(r), 401, roles.join());
      assert.equal(r.body.data.tenantMutations.createTenant, null);
    }
    const r = await anonymous(gw).gql(CREATE, { input });
    assert.equal(r.status, 401);
    assert.equal(r.body.data, undefined);
    const bad = await (await apiToken(gw)).gql(CREATE, { input: { ...input, name: '  ' } });
    assert.equal(errorCode(bad), 400);
  });

  test("an account user sees their own account and gets 404 and no data for another's", async () => {
    const mine = await createAccount(gw, { managed: false, name: 'Mine' });
    const theirs = await createAccount(gw, { managed: true, name: 'Theirs' });
    const user = await signInAs(gw, { roles: [`advertiser-view-${mine}`] });
    const own = await user.gql(TENANT, { tenantId: mine });
    assert.equal(own.body.data.tenant.name, 'Mine');
    assert.equal(own.body.data.tenant.canEditTenantSettingsInUI, false, 'view only');
    const other = await user.gql(TENANT, { tenantId: theirs });
    assert.equal(errorCode(other), 404);
    assert.equal(other.body.data.tenant, null);
    assert.doesNotMatch(JSON.stringify(other.body), /Theirs/);
    const usage = await user.gql(USAGE, { tenantId: theirs });
    assert.equal(errorCode(usage), 404);
    assert.equal(usage.body.data.tenantUsage, null);
    assert.deepEqual(
      (await user.gql(LIST)).body.data.tenants.map((t: { id: string }) => t.id),
      [mine],
    );
  });

  test('updateTenant renames, deactivates and switches management; account admins only', async () => {
    const host = await signInAs(gw, { roles: ['agency-admin'] });
    const r = await host.gql(CREATE, { input: { name: 'Before', canPartnerManage: true, eventEnrichment: false } });
    const id = r.body.data.tenantMutations.createTenant.tenant.id;
    const pixel = await addPixelTo(gw, id);

    const renamed = await host.gql(UPDATE, { input: { tenantId: id, name: 'After', status: 2 } });
    assert.deepEqual(renamed.body.data.tenantMutations.updateTenant.tenant, {
      id,
      name: 'After',
      status: 2,
      canPartnerManage: true,
    });
    // A deactivated account's pixels stop at once.
    const refused = await gw.postServer(pixel.pixelId, { data: [serverEvent()] }, pixel.accessKey);
    assert.equal(refused.status, 403);
    await host.gql(UPDATE, { input: { tenantId: id, status: 0 } });

    assert.equal(errorCode(await host.gql(UPDATE, { input: { tenantId: id, status: 1 } })), 400);
    const manager = await signInAs(gw, { roles: [`advertiser-manage-${id}`] });
    assert.equal(errorCode(await manager.gql(UPDATE, { input: { tenantId: id, name: 'No' } })), 401);
    // With a host admin role too, the higher level counts on a managed account.
    const both = await signInAs(gw, { roles: [`advertiser-manage-${id}`, 'agency-admin'] });
    assert.equal(errorCode(await both.gql(UPDATE, { input: { tenantId: id, name: 'After' } })), undefined);

    // Unmanaged: the host admin (its account admin) keeps it; a plain host admin loses sight of it.
    const other = await signInAs(gw, { roles: ['agency-admin'] });
    const switched = await host.gql(UPDATE, { input: { tenantId: id, canPartnerManage: false } });
    assert.equal(switched.body.data.tenantMutations.updateTenant.tenant.canPartnerManage, false);
    assert.equal(errorCode(await other.gql(TENANT, { tenantId: id })), 404);
    assert.equal((await host.gql(TENANT, { tenantId: id })).body.data.tenant.name, 'After');
  });

  test('an account without an admin of its own cannot become unmanaged', async () => {
    const api = await apiToken(gw);
    const r = await api.gql(CREATE, { input: { name: 'Orphan', canPartnerManage: true, eventEnrichment: false } });
    const id = r.body.data.tenantMutations.createTenant.tenant.id;
    const refused = await api.gql(UPDATE, { input: { tenantId: id, canPartnerManage: false } });
    assert.equal(errorCode(refused), 400);
    assert.match(refused.body.errors?.[0]?.message ?? '', /needs its own admin/);
  });

  test('deleteTenant removes pixels, roles and the users left without a role', async () => {
    const host = await signInAs(gw, { roles: ['agency-admin'] });
    const created = await host.gql(CREATE, {
      input: { name: 'Doomed', canPartnerManage: true, eventEnrichment: false },
    });
    const id = created.body.data.tenantMutations.createTenant.tenant.id;
    const keep = await createAccount(gw);
    const pixel = await addPixelTo(gw, id);
    const only = await signInAs(gw, { roles: [`advertiser-view-${id}`] });
    const both = await signInAs(gw, { roles: [`advertiser-view-${id}`, `advertiser-view-${keep}`] });

    const viewer = await signInAs(gw, { roles: [`advertiser-view-${id}`, `advertiser-admin-${keep}`] });
    assert.equal(errorCode(await viewer.gql(DELETE, { tenantId: id })), 401);
    const stranger = await signInAs(gw, { roles: [`advertiser-admin-${keep}`] });
    assert.equal(errorCode(await stranger.gql(DELETE, { tenantId: id })), 404);

    const r = await host.gql(DELETE, { tenantId: id });
    assert.equal(r.body.data.tenantMutations.deleteTenant, true);
    const db = gw.gateway.db;
    assert.equal((await db.query('SELECT 1 FROM pixels WHERE pixel_id = $1', [pixel.pixelId])).length, 0);
    assert.equal((await db.query('SELECT 1 FROM user_roles WHERE tenant_id = $1', [id])).length, 0);
    assert.equal((await db.query('SELECT 1 FROM users WHERE id = $1', [only.userId])).length, 0);
    assert.equal((await db.query('SELECT 1 FROM users WHERE id = $1', [both.userId])).length, 1);
    assert.equal((await db.query('SELECT 1 FROM users WHERE id = $1', [host.userId])).length, 1, 'host role left');
    assert.equal((await gw.postServer(pixel.pixelId, { data: [serverEvent()] }, pixel.accessKey)).status, 404);
    assert.equal(errorCode(await host.gql(DELETE, { tenantId: id })), 404);
  });

  test('tenantUsage counts pixels and the last 24 hours of traffic', async () => {
    const api = await apiToken(gw);
    const id = await createAccount(gw);
    const a = await addPixelTo(gw, id);
    const b = await addPixelTo(gw, id);
    await addPixelTo(gw, id);
    await gw.gateway.accounts.setPixelSwitches(id, b.pixelId, { receiving: false });
    await gw.postServer(a.pixelId, { data: [serverEvent(), serverEvent()] }, a.accessKey);
    await waitFor(async () => (await gw.gateway.queue.depth()) === 0, 'published');

    let usage = (await api.gql(USAGE, { tenantId: id })).body.data.tenantUsage;
    assert.equal(usage.totalPixels, 3);
    assert.equal(usage.totalActivePixels, 2);
    assert.equal(usage.totalInactivePixels, 1);
    assert.equal(usage.pixelIds.length, 3);
    assert.equal(usage.totalPipelines, 0);
    assert.equal(usage.tenantUsageByTraffic.totalEventsReceived, 2);
    assert.equal(usage.tenantUsageByTraffic.totalPixelsWithTraffic, 1);
    assert.equal(usage.tenantUsageByTraffic.publishError, false);
    assert.equal(usage.tenantUsageByTraffic.durationInHours, 24);

    await gw.gateway.db.query('UPDATE pixels SET bad_token = true WHERE pixel_id = $1', [a.pixelId]);
    usage = (await api.gql(USAGE, { tenantId: id })).body.data.tenantUsage;
    assert.equal(usage.tenantUsageByTraffic.publishError, true);

    const nested = await api.gql('query ($t: String!) { tenant(tenantId: $t) { tenantUsage { totalPixels } } }', {
      t: id,
    });
    assert.equal(nested.body.data.tenant.tenantUsage.totalPixels, 3);
    assert.equal(errorCode(await api.gql(USAGE, { tenantId: 'nope1234' })), 404);
  });
});
