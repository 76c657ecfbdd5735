import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../harness.js';
import { apiToken, createAccount, createPerson, errorCode, logIn, signInAs } from './people.js';

// People and roles on /hub/graphql/: adding, inviting, changing roles, removing, deleting,
// temporary users; the last-admin rule and what each caller may see.

const ADD = `mutation useAddUserAccountMutation($addUserWithRoleInput: AddUserWithRoleInput!) {
  userMutations {
    addUserWithRole(input: $addUserWithRoleInput) {
      userAlreadyExist
      invitationLink
      user { id email status userExpiry roles { name displayName } }
    }
  }
}`;
const INVITE = `mutation ActivateElementMutation($sendInvitationInput: SendInvitationInput!) {
  userMutations { sendInvitation(input: $sendInvitationInput) }
}`;
const CHANGE = `mutation UserAccessChangeMutation($input: ChangeRoleForUserInput!) {
  userMutations { changeRoleForUser(input: $input) { user { id email roles { name displayName tenantName } } } }
}`;
const REMOVE = `mutation ($userId: String!, $tenantId: String!) {
  userMutations { removeUserFromTenant(userId: $userId, tenantId: $tenantId) } }`;
const DELETE = 'mutation ($userId: String!) { userMutations { deleteUser(userId: $userId) } }';
const EXPIRY = `mutation ($userId: String!, $userExpiry: String) {
  userMutations { setUserExpiry(userId: $userId, userExpiry: $userExpiry) { id userExpiry } } }`;
const USERS = `query ($tenantId: String) {
  users(tenantId: $tenantId) { id email status isSelf canBeDeleted roles { name } tenants { id } } }`;
const ME = '{ me { id email isSelf roles { name } } }';

const today = () => new Date().toISOString().slice(0, 10);

describe('hub: users and roles', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ env: { CAPIG_PUBLIC_URL: 'http://localhost:8443' } });
  });
  after(() => gw.stop());

  test("Meta's addUserWithRole and sendInvitation samples: a pending user and fresh links", async () => {
    const api = await apiToken(gw);
    const tenantId = await createAccount(gw, { id: 'wW58k7FQ' });
    const r = await api.gql(ADD, {
      addUserWithRoleInput: { email: 'tempUser1@testaccount.com', roleName: `advertiser-manage-${tenantId}` },
    });
    assert.equal(r.body.errors, undefined);
    const added = r.body.data.userMutations.addUserWithRole;
    assert.equal(added.userAlreadyExist, false);
    assert.match(
      added.invitationLink,
      /^http:\/\/localhost:8443\/auth\/verify\/\?token=[A-Za-z0-9_-]{22}&et=inv&email=tempUser1@testaccount\.com$/,
    );
    assert.match(added.user.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(added.user, {
      id: added.user.id,
      email: 'tempuser1@testaccount.com',
      status: 2,
      userExpiry: null,
      roles: [{ name: 'advertiser-manage-wW58k7FQ', displayName: 'manage' }],
    });

    const inv = await api.gql(INVITE, {
      sendInvitationInput: { email: 'tempuser1@testaccount.com', tenantId: 'wW58k7FQ', userType: 'ADVERTISER' },
    });
    const link: string = inv.body.data.userMutations.sendInvitation;
    assert.match(
      link,
      /^http:\/\/localhost:8443\/auth\/verify\/\?token=[A-Za-z0-9_-]{22}&et=inv&email=tempuser1@testaccount\.com$/,
    );

    // Only the newest link works, once.
    const signup = (url: string) =>
      fetch(`${gw.url}/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token: new URL(url).searchParams.get('token'),
          email: 'TempUser1@testaccount.com',
          password: 'correct horse battery',
        }),
      });
    assert.equal((await signup(added.invitationLink)).status, 400);
    assert.equal((await signup(link)).status, 200);
    assert.equal((await signup(link)).status, 400);
    await logIn(gw, 'tempuser1@testaccount.com', 'correct horse battery');

    const again = await api.gql(INVITE, {
      sendInvitationInput: { email: 'tempuser1@testaccount.com', tenantId: 'wW58k7FQ', userType: 'ADVERTISER' },
    });
    assert.equal(errorCode(again), 400, 'already signed up');
  });

  test('sendInvitation: 404 without such a user in the account, 401 for non-admins', async () => {
    const a = await createAccount(gw);
    const b = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${a}`] });
    await admin.gql(ADD, { addUserWithRoleInput: { email: 'inv@a.example', roleName: `advertiser-view-${a}` } });
    const input = { email: 'inv@a.example', tenantId: b, userType: 'ADVERTISER' };
    assert.equal(errorCode(await admin.gql(INVITE, { sendInvitationInput: input })), 404);
    assert.equal(
      errorCode(await admin.gql(INVITE, { sendInvitationInput: { ...input, tenantId: a, email: 'nobody@a.example' } })),
      404,
    );
    assert.equal(errorCode(await admin.gql(INVITE, { sendInvitationInput: { ...input, userType: 'AGENCY' } })), 401);
    const viewer = await signInAs(gw, { roles: [`advertiser-view-${a}`] });
    const r = await viewer.gql(INVITE, { sendInvitationInput: { ...input, tenantId: a } });
    assert.equal(errorCode(r), 401);
    assert.equal(r.body.data.userMutations.sendInvitation, null);
  });

  test('addUserWithRole: existing users gain the role; 409, 404, 400 and 401 cases', async () => {
    const a = await createAccount(gw);
    const b = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${a}`, `advertiser-admin-${b}`] });
    const add = (email: string, roleName: string, extra = {}) =>
      admin.gql(ADD, { addUserWithRoleInput: { email, roleName, ...extra } });

    const first = await add('Both@Example.com', `advertiser-view-${a}`);
    assert.equal(first.body.data.userMutations.addUserWithRole.userAlreadyExist, false);
    const second = await add('both@example.com', `advertiser-user-${b}`);
    const res = second.body.data.userMutations.addUserWithRole;
    assert.equal(res.userAlreadyExist, true);
    assert.equal(res.user.id, first.body.data.userMutations.addUserWithRole.user.id);
    assert.deepEqual(
      res.user.roles.map((r: { name: string }) => r.name).sort(),
      [`advertiser-manage-${b}`, `advertiser-view-${a}`].sort(),
    );

    assert.equal(errorCode(await add('both@example.com', `advertiser-admin-${a}`)), 409);
    assert.equal(errorCode(await add('x@example.com', `advertiser-boss-${a}`)), 404);
    assert.equal(errorCode(await add('x@example.com', 'advertiser-view-Unknown1')), 404);
    assert.equal(errorCode(await add('not-an-email', `advertiser-view-${a}`)), 400);
    assert.equal(errorCode(await add('x@example.com', `advertiser-view-${a}`, { userExpiry: '2001-01-01' })), 400);
    assert.equal(errorCode(await add('both@example.com', `advertiser-view-${a}`, { userExpiry: '2999-01-01' })), 400);
    assert.equal(errorCode(await add('x@example.com', 'agency-view')), 401, 'account admins cannot add host users');

    const temp = await add('temp@example.com', `advertiser-view-${a}`, { userExpiry: '2999-12-31' });
    assert.equal(temp.body.data.userMutations.addUserWithRole.user.userExpiry, '2999-12-31');

    const manager = await signInAs(gw, { roles: [`advertiser-manage-${a}`] });
    const refused = await manager.gql(ADD, {
      addUserWithRoleInput: { email: 'y@example.com', roleName: `advertiser-view-${a}` },
    });
    assert.equal(errorCode(refused), 401);
    assert.equal(refused.body.data.userMutations.addUserWithRole, null);
    const stranger = await signInAs(gw, { roles: [`advertiser-admin-${await createAccount(gw)}`] });
    assert.equal(
      errorCode(
        await stranger.gql(ADD, { addUserWithRoleInput: { email: 'z@example.com', roleName: `advertiser-view-${a}` } }),
      ),
      404,
    );
  });

  test("an account admin gets no invitation link for a pending user of another admin's account", async () => {
    const a = await createAccount(gw);
    const b = await createAccount(gw);
    const adminA = await signInAs(gw, { roles: [`advertiser-admin-${a}`] });
    const adminB = await signInAs(gw, { roles: [`advertiser-admin-${b}`] });
    await adminB.gql(ADD, { addUserWithRoleInput: { email: 'shared@example.com', roleName: `advertiser-admin-${b}` } });
    const r = await adminA.gql(ADD, {
      addUserWithRoleInput: { email: 'shared@example.com', roleName: `advertiser-view-${a}` },
    });
    const added = r.body.data.userMutations.addUserWithRole;
    assert.equal(added.userAlreadyExist, false, 'A is not told that B has this person');
    assert.equal(added.invitationLink, null, 'the link would sign in to account B too');
    assert.deepEqual(added.user.roles, [{ name: `advertiser-view-${a}`, displayName: 'view' }], 'B stays hidden');
    const inv = await adminA.gql(INVITE, {
      sendInvitationInput: { email: 'shared@example.com', tenantId: a, userType: 'ADVERTISER' },
    });
    assert.equal(errorCode(inv), 401);
  });

  test("changeRoleForUser: Meta's swap to agency-admin, replacement in a scope, 404s and the last admin", async () => {
    const host = await signInAs(gw, { roles: ['agency-admin'] });
    const t = await createAccount(gw);
    const u = await createPerson(gw, { roles: [`advertiser-admin-${t}`] });
    const change = (input: Record<string, unknown>) => host.gql(CHANGE, { input: { userId: u.userId, ...input } });

    const last = await change({ roleToRevoke: `advertiser-admin-${t}`, roleToAdd: 'agency-admin' });
    assert.equal(errorCode(last), 400);
    assert.match(last.body.errors?.[0]?.message ?? '', /must keep at least one admin/);

    await createPerson(gw, { roles: [`advertiser-admin-${t}`] });
    const swapped = await change({ roleToRevoke: `advertiser-admin-${t}`, roleToAdd: 'agency-admin' });
    assert.deepEqual(swapped.body.data.userMutations.changeRoleForUser.user.roles, [
      { name: 'agency-admin', displayName: 'admin', tenantName: null },
    ]);
    const replaced = await change({ roleToAdd: 'agency-view' });
    assert.deepEqual(
      replaced.body.data.userMutations.changeRoleForUser.user.roles.map((r: { name: string }) => r.name),
      ['agency-view'],
    );

    assert.equal(errorCode(await change({ roleToRevoke: 'agency-admin' })), 404, 'not held');
    assert.equal(errorCode(await change({ roleToAdd: 'agency-chief' })), 404);
    assert.equal(
      errorCode(await host.gql(CHANGE, { input: { userId: 'no-such-user', roleToAdd: 'agency-view' } })),
      404,
    );
    assert.equal(errorCode(await change({})), 400);

    const accountAdmin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    const v = await createPerson(gw, { roles: [`advertiser-view-${t}`] });
    const up = await accountAdmin.gql(CHANGE, { input: { userId: v.userId, roleToAdd: 'agency-admin' } });
    assert.equal(errorCode(up), 401, 'account admins cannot make host admins');
  });

  test('a pending user whose last role is removed is gone: the address is new to the next account', async () => {
    const a = await createAccount(gw);
    const b = await createAccount(gw);
    const adminA = await signInAs(gw, { roles: [`advertiser-admin-${a}`] });
    const adminB = await signInAs(gw, { roles: [`advertiser-admin-${b}`] });
    const invited = await adminB.gql(ADD, {
      addUserWithRoleInput: { email: 'fleeting@example.com', roleName: `advertiser-view-${b}` },
    });
    const userId = invited.body.data.userMutations.addUserWithRole.user.id;
    assert.equal(
      (await adminB.gql(REMOVE, { userId, tenantId: b })).body.data.userMutations.removeUserFromTenant,
      true,
    );
    assert.deepEqual(await gw.gateway.db.query('SELECT id FROM users WHERE id = $1', [userId]), []);

    const r = await adminA.gql(ADD, {
      addUserWithRoleInput: { email: 'fleeting@example.com', roleName: `advertiser-view-${a}` },
    });
    const added = r.body.data.userMutations.addUserWithRole;
    assert.equal(added.userAlreadyExist, false);
    assert.notEqual(added.user.id, userId);
    assert.match(added.invitationLink, /\/auth\/verify\/\?/, 'a fresh invitation');
  });

  test('removeUserFromTenant and deleteUser keep the last admin; canBeDeleted says so', async () => {
    const t = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    const viewer = await createPerson(gw, { roles: [`advertiser-view-${t}`] });

    const list = await admin.gql(USERS, { tenantId: t });
    const self = list.body.data.users.find((u: { id: string }) => u.id === admin.userId);
    assert.equal(self.canBeDeleted, false);
    assert.equal(self.isSelf, true);
    assert.equal(list.body.data.users.find((u: { id: string }) => u.id === viewer.userId).canBeDeleted, true);

    assert.equal(errorCode(await admin.gql(REMOVE, { userId: admin.userId, tenantId: t })), 400);
    assert.equal(errorCode(await admin.gql(DELETE, { userId: admin.userId })), 400);

    assert.equal(
      (await admin.gql(REMOVE, { userId: viewer.userId, tenantId: t })).body.data.userMutations.removeUserFromTenant,
      true,
    );
    assert.equal(errorCode(await admin.gql(REMOVE, { userId: viewer.userId, tenantId: t })), 404);

    const other = await createPerson(gw, { roles: [`advertiser-view-${t}`] });
    assert.equal((await admin.gql(DELETE, { userId: other.userId })).body.data.userMutations.deleteUser, true);
    assert.equal((await gw.gateway.db.query('SELECT 1 FROM users WHERE id = $1', [other.userId])).length, 0);
  });

  test("deleteUser needs admin rights over every account the user is in; others' users are 404", async () => {
    const a = await createAccount(gw);
    const b = await createAccount(gw);
    const adminA = await signInAs(gw, { roles: [`advertiser-admin-${a}`] });
    const inBoth = await createPerson(gw, { roles: [`advertiser-view-${a}`, `advertiser-view-${b}`] });
    const onlyB = await createPerson(gw, { roles: [`advertiser-view-${b}`] });
    assert.equal(errorCode(await adminA.gql(DELETE, { userId: inBoth.userId })), 401);
    assert.equal(errorCode(await adminA.gql(DELETE, { userId: onlyB.userId })), 404);
    assert.equal(errorCode(await adminA.gql(REMOVE, { userId: onlyB.userId, tenantId: b })), 404);
    // The API account is host admin on managed accounts: both are.
    const api = await apiToken(gw);
    assert.equal((await api.gql(DELETE, { userId: inBoth.userId })).body.data.userMutations.deleteUser, true);
  });

  test('users() and User.roles show only what the caller may see; me answers for people only', async () => {
    const a = await createAccount(gw, { managed: true });
    const hidden = await createAccount(gw, { managed: false });
    const both = await createPerson(gw, { roles: [`advertiser-view-${a}`, `advertiser-admin-${hidden}`] });
    const onlyHidden = await createPerson(gw, { roles: [`advertiser-view-${hidden}`] });
    const host = await signInAs(gw, { roles: ['agency-admin'] });

    const all = (await host.gql(USERS, {})).body.data.users;
    const seen = all.find((u: { id: string }) => u.id === both.userId);
    assert.deepEqual(seen.roles, [{ name: `advertiser-view-${a}` }]);
    assert.deepEqual(seen.tenants, [{ id: a }]);
    assert.ok(!all.some((u: { id: string }) => u.id === onlyHidden.userId));
    assert.ok(!JSON.stringify(all).includes(hidden));
    assert.equal(errorCode(await host.gql(USERS, { tenantId: hidden })), 404);

    const accountUser = await signInAs(gw, { roles: [`advertiser-view-${a}`] });
    const mine = (await accountUser.gql(USERS, { tenantId: a })).body.data.users;
    assert.ok(mine.some((u: { id: string }) => u.id === both.userId));
    assert.ok(!mine.some((u: { id: string }) => u.id === host.userId), 'host users are not account users');

    const me = (await accountUser.gql(ME)).body.data.me;
    assert.deepEqual(me, {
      id: accountUser.userId,
      email: accountUser.email,
      isSelf: true,
      roles: [{ name: `advertiser-view-${a}` }],
    });
    const api = await apiToken(gw);
    assert.equal((await api.gql(ME)).body.data.me, null);
    const viaApi = (await api.gql(USERS, { tenantId: a })).body.data.users;
    assert.ok(viaApi.every((u: { isSelf: boolean }) => u.isSelf === false));
  });

  test('a temporary user works until the end of their day, then is refused', async () => {
    const t = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    const temp = await signInAs(gw, { roles: [`advertiser-view-${t}`] });
    const set = await admin.gql(EXPIRY, { userId: temp.userId, userExpiry: today() });
    assert.deepEqual(set.body.data.userMutations.setUserExpiry, { id: temp.userId, userExpiry: today() });
    assert.equal((await temp.gql(ME)).status, 200, 'still today');
    assert.equal(errorCode(await admin.gql(EXPIRY, { userId: temp.userId, userExpiry: '2020-02-30' })), 400);
    assert.equal(errorCode(await temp.gql(EXPIRY, { userId: temp.userId, userExpiry: null })), 401);

    // The day passes (simulated in the database, whose clock decides).
    await gw.gateway.db.query("UPDATE users SET expires_on = (now() AT TIME ZONE 'UTC')::date - 1 WHERE id = $1", [
      temp.userId,
    ]);
    assert.equal((await temp.gql(ME)).status, 401, 'the session no longer authenticates');
    const login = await fetch(`${gw.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: temp.email, password: temp.password }),
    });
    assert.equal(login.status, 403);
    assert.match(((await login.json()) as { error: { message: string } }).error.message, /ended on/);

    await admin.gql(EXPIRY, { userId: temp.userId, userExpiry: null });
    assert.equal((await temp.gql(ME)).status, 200, 'permanent again');
  });
});
