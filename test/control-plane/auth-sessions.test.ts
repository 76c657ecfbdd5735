import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../harness.js';
import { cookiesOf, createAccount, createPerson, errorCode, logIn, signInAs } from './people.js';

// People's authentication: first-admin set-up, login and its throttling, session cookies, CSRF,
// logout, invitation signup and password reset.

const post = (gw: TestGateway, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;
const RENAME = `mutation ($input: UpdateTenantInput!) { tenantMutations { updateTenant(input: $input) { tenant { name } } } }`;

describe('auth: sessions', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.stop());

  test('POST /auth/setup creates the first host admin once, then answers 409', async () => {
    const setupNeeded = async () => ((await (await fetch(`${gw.url}/auth/setup`)).json()) as any).setupNeeded;
    assert.equal(await setupNeeded(), true, 'a fresh install offers "Create admin account"');
    assert.equal((await post(gw, '/auth/setup', { email: 'root@example.com', password: 'short' })).status, 400);
    const res = await post(gw, '/auth/setup', { email: 'Root@Example.com', password: 'a-long-password' });
    assert.equal(res.status, 201);
    const cookies = cookiesOf(res);
    assert.ok(cookies.capig_session && cookies.capig_csrf);
    const session = await fetch(`${gw.url}/auth/session`, {
      headers: { cookie: `capig_session=${cookies.capig_session}` },
    });
    const who = (await session.json()) as { user: { email: string; roles: string[] }; csrfToken: string };
    assert.deepEqual(who.user.roles, ['agency-admin']);
    assert.equal(who.user.email, 'root@example.com');
    assert.equal(who.csrfToken, cookies.capig_csrf);

    const again = await post(gw, '/auth/setup', { email: 'other@example.com', password: 'a-long-password' });
    assert.equal(again.status, 409);
    assert.equal(await setupNeeded(), false);
    assert.match(await message(again), /already set up/);
  });

  test('after set-up, POST /auth/setup is throttled per address like a login', async () => {
    await gw.gateway.db.query('DELETE FROM login_failures');
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push(
        (await post(gw, '/auth/setup', { email: `late${i}@example.com`, password: 'a-long-password' })).status,
      );
    }
    assert.deepEqual(statuses, [...Array(20).fill(409), 429]);
    await gw.gateway.db.query('DELETE FROM login_failures');
  });

  test('POST /clients/token is throttled per client id: unknown ids cannot be tried without end', async () => {
    await gw.gateway.db.query('DELETE FROM login_failures');
    const token = (client_id: string, client_secret: string) =>
      post(gw, '/clients/token', { client_id, client_secret, grant_type: 'client_credentials' });
    const guesses = await Promise.all(Array.from({ length: 64 }, (_, i) => token('no-such-client', `guess-${i}`)));
    const statuses = guesses.map((r) => r.status);
    assert.ok(statuses.filter((s) => s === 401).length <= 10, 'at most ten secrets were checked');
    assert.equal(statuses.filter((s) => s === 429).length + statuses.filter((s) => s === 401).length, 64);
    const limited = guesses.find((r) => r.status === 429) as Response;
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    // A real client is not locked out by someone else's guesses.
    const { secret } = await gw.gateway.apiAccounts.create('real-client', null);
    await gw.gateway.db.query("DELETE FROM login_failures WHERE key LIKE 'client-ip:%'");
    assert.equal((await token('real-client', secret)).status, 200);
    await gw.gateway.db.query('DELETE FROM login_failures');
  });

  test('login sets an HttpOnly SameSite=Lax session cookie and a readable CSRF cookie; only hashes are stored', async () => {
    const p = await createPerson(gw, { roles: ['agency-view'] });
    const res = await post(gw, '/auth/login', { email: p.email.toUpperCase(), password: p.password });
    assert.equal(res.status, 200);
    const [session, csrf] = res.headers.getSetCookie();
    assert.match(session ?? '', /^capig_session=[A-Za-z0-9_-]{43}; Path=\/; SameSite=Lax; Max-Age=604800; HttpOnly$/);
    assert.match(csrf ?? '', /^capig_csrf=[A-Za-z0-9_-]+; Path=\/; SameSite=Lax; Max-Age=604800$/);
    const id = cookiesOf(res).capig_session as string;
    const rows = await gw.gateway.db.query<{ id_hash: string }>('SELECT id_hash FROM sessions WHERE user_id = $1', [
      p.userId,
    ]);
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]?.id_hash, id);
    assert.ok(!JSON.stringify(await gw.gateway.db.query('SELECT * FROM sessions')).includes(id));

    const tampered = await fetch(`${gw.url}/auth/session`, { headers: { cookie: `capig_session=${id}x` } });
    assert.equal(tampered.status, 401);
  });

  test('Secure cookies when the public URL is https', async () => {
    const tls = await startTestGateway({ env: { CAPIG_PUBLIC_URL: 'https://gateway.example.com' }, fake: gw.fake });
    try {
      const p = await createPerson(tls);
      const res = await post(tls, '/auth/login', { email: p.email, password: p.password });
      for (const c of res.headers.getSetCookie()) assert.match(c, /; Secure/);
    } finally {
      await tls.stop();
    }
  });

  test('wrong password and unknown email get the same 401; pending and deactivated users cannot log in', async () => {
    const p = await createPerson(gw);
    const wrong = await post(gw, '/auth/login', { email: p.email, password: 'not-the-password' });
    const unknown = await post(gw, '/auth/login', { email: 'ghost@example.com', password: 'not-the-password' });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(await message(wrong), await message(unknown));
    assert.equal((await post(gw, '/auth/login', { email: p.email })).status, 400);

    await gw.gateway.db.query('UPDATE users SET status = 0 WHERE id = $1', [p.userId]);
    const deactivated = await post(gw, '/auth/login', { email: p.email, password: p.password });
    assert.equal(deactivated.status, 403);
    assert.match(await message(deactivated), /deactivated/);

    const t = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    await admin.gql(
      'mutation ($i: AddUserWithRoleInput!) { userMutations { addUserWithRole(input: $i) { invitationLink } } }',
      { i: { email: 'pending@example.com', roleName: `advertiser-view-${t}` } },
    );
    assert.equal((await post(gw, '/auth/login', { email: 'pending@example.com', password: '' })).status, 400);
    assert.equal(
      (await post(gw, '/auth/login', { email: 'pending@example.com', password: 'anything-at-all' })).status,
      401,
    );
    await gw.gateway.db.query('DELETE FROM login_failures');
  });

  test('five failures for one email lock it for 15 minutes (429 + Retry-After), even with the right password', async () => {
    const p = await createPerson(gw);
    for (let i = 0; i < 5; i++) {
      assert.equal((await post(gw, '/auth/login', { email: p.email, password: `wrong-${i}` })).status, 401);
    }
    const locked = await post(gw, '/auth/login', { email: p.email, password: p.password });
    assert.equal(locked.status, 429);
    const wait = Number(locked.headers.get('retry-after'));
    assert.ok(wait > 800 && wait <= 900, `Retry-After ${wait}`);
    assert.match(await message(locked), /too many failed logins/);
    // Another person on the same address is not locked out.
    const q = await createPerson(gw);
    assert.equal((await post(gw, '/auth/login', { email: q.email, password: q.password })).status, 200);
    // The window passes.
    await gw.gateway.db.query("UPDATE login_failures SET window_started_at = now() - interval '16 minutes'");
    assert.equal((await post(gw, '/auth/login', { email: p.email, password: p.password })).status, 200);
  });

  test('200 logins at once cannot race the lock: at most five passwords are checked', async () => {
    await gw.gateway.db.query('DELETE FROM login_failures');
    const p = await createPerson(gw);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(gw, '/auth/login', { email: p.email, password: i === 150 ? p.password : `guess-${i}` }).then(
          (r) => r.status,
        ),
      ),
    );
    const tally = (status: number) => answers.filter((s) => s === status).length;
    assert.equal(tally(200), 0, 'the right password among 200 guesses does not get in');
    assert.ok(tally(401) <= 5, `at most five passwords were checked (${tally(401)} answered 401)`);
    assert.equal(tally(401) + tally(429), 200);
    await gw.gateway.db.query('DELETE FROM login_failures');
  });

  test('twenty failures from one address lock that address', async () => {
    for (let i = 0; i < 20; i++) {
      await post(gw, '/auth/login', { email: `nobody${i}@example.com`, password: 'not-the-password' });
    }
    const p = await createPerson(gw);
    assert.equal((await post(gw, '/auth/login', { email: p.email, password: p.password })).status, 429);
    await gw.gateway.db.query('DELETE FROM login_failures');
    assert.equal((await post(gw, '/auth/login', { email: p.email, password: p.password })).status, 200);
  });

  test('cookie mutations need the x-csrf-token; queries do not', async () => {
    const t = await createAccount(gw, { name: 'Kept' });
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    const missing = await admin.withoutCsrf.gql(RENAME, { input: { tenantId: t, name: 'Forged' } });
    assert.equal(missing.status, 401);
    assert.match(missing.body.errors?.[0]?.message ?? '', /x-csrf-token/);
    const wrong = await admin.withoutCsrf.fetch('/hub/graphql/', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': 'guess' },
      body: JSON.stringify({ query: RENAME, variables: { input: { tenantId: t, name: 'Forged' } } }),
    });
    assert.equal(wrong.status, 401);
    const read = await admin.withoutCsrf.gql('query ($t: String!) { tenant(tenantId: $t) { name } }', { t });
    assert.equal(read.body.data.tenant.name, 'Kept');
    const ok = await admin.gql(RENAME, { input: { tenantId: t, name: 'Renamed' } });
    assert.equal(ok.body.data.tenantMutations.updateTenant.tenant.name, 'Renamed');
  });

  test('cross-site requests to /auth are refused', async () => {
    const p = await createPerson(gw);
    const res = await post(
      gw,
      '/auth/login',
      { email: p.email, password: p.password },
      { 'sec-fetch-site': 'cross-site' },
    );
    assert.equal(res.status, 403);
    assert.equal(res.headers.getSetCookie().length, 0);
    // An older browser sends no Sec-Fetch-Site, but still names the page's origin.
    for (const origin of ['https://evil.example', 'null', `${gw.url}.evil.example`]) {
      const foreign = await post(gw, '/auth/login', { email: p.email, password: p.password }, { origin });
      assert.equal(foreign.status, 403, `Origin ${origin}`);
      assert.equal(foreign.headers.getSetCookie().length, 0);
    }
    const own = await post(gw, '/auth/login', { email: p.email, password: p.password }, { origin: gw.url });
    assert.equal(own.status, 200, 'the dashboard on the gateway itself');
  });

  test('security headers: nosniff everywhere; the explorer cannot be framed and runs no inline script', async () => {
    const px = await gw.addPixel();
    const responses = [
      await fetch(`${gw.url}/hub/graphql/`, { method: 'POST', body: '{}' }),
      await gw.postServer(px.pixelId, { data: [] }, px.accessKey),
      await gw.postBrowser('{}'),
      await fetch(`${gw.url}/sdk/123/events.js`),
      await fetch(`${gw.url}/auth/session`),
      await fetch(`${gw.url}/nope`),
    ];
    for (const r of responses) assert.equal(r.headers.get('x-content-type-options'), 'nosniff', r.url);
    const page = await fetch(`${gw.url}/capig/graphiql/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const html = await page.text();
    assert.ok(!/<script>/.test(html), 'no inline script');
    const script = await fetch(`${gw.url}/capig/graphiql/explorer.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.match(await script.text(), /fetch\(\$\('ep'\)\.value/);
  });

  test('logout ends the session and clears both cookies', async () => {
    const p = await signInAs(gw, { roles: ['agency-view'] });
    assert.equal((await p.gql('{ me { id } }')).body.data.me.id, p.userId);
    const out = await p.fetch('/auth/logout', { method: 'POST' });
    assert.equal(out.status, 200);
    for (const c of out.headers.getSetCookie()) assert.match(c, /Max-Age=0/);
    assert.equal((await p.gql('{ me { id } }')).status, 401);
    assert.equal((await p.fetch('/auth/session')).status, 401);
  });

  test('invitation signup: right email and a good password, once; then signed in', async () => {
    const t = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    const r = await admin.gql(
      'mutation ($i: AddUserWithRoleInput!) { userMutations { addUserWithRole(input: $i) { invitationLink } } }',
      { i: { email: 'New@Example.com', roleName: `advertiser-manage-${t}` } },
    );
    const link = new URL(r.body.data.userMutations.addUserWithRole.invitationLink);
    const token = link.searchParams.get('token');
    assert.equal(link.pathname, '/auth/verify/');

    const page = await fetch(`${gw.url}${link.pathname}${link.search}`);
    assert.equal(page.status, 200);
    assert.equal(new URL(page.url).pathname, '/hub/verify', 'the link opens the dashboard’s page');
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(!(await page.text()).includes(token as string), 'the token is read by the script, not rendered');

    assert.equal(
      (await post(gw, '/auth/signup', { token, email: 'other@example.com', password: 'a-long-password' })).status,
      400,
    );
    assert.equal((await post(gw, '/auth/signup', { token, email: 'new@example.com', password: 'short' })).status, 400);
    assert.equal(
      (await post(gw, '/auth/signup', { token: 'made-up', email: 'new@example.com', password: 'a-long-password' }))
        .status,
      400,
    );
    const ok = await post(gw, '/auth/signup', { token, email: 'new@example.com', password: 'a-long-password' });
    assert.equal(ok.status, 200);
    const cookie = `capig_session=${cookiesOf(ok).capig_session}`;
    const who = (await (await fetch(`${gw.url}/auth/session`, { headers: { cookie } })).json()) as {
      user: { roles: string[] };
    };
    assert.deepEqual(who.user.roles, [`advertiser-manage-${t}`]);
    assert.equal(
      (await post(gw, '/auth/signup', { token, email: 'new@example.com', password: 'a-long-password' })).status,
      400,
    );

    // Links last 24 hours.
    const r2 = await admin.gql(
      'mutation ($i: AddUserWithRoleInput!) { userMutations { addUserWithRole(input: $i) { invitationLink } } }',
      { i: { email: 'late@example.com', roleName: `advertiser-view-${t}` } },
    );
    await gw.gateway.db.query("UPDATE auth_links SET expires_at = now() - interval '1 second' WHERE used_at IS NULL");
    const late = new URL(r2.body.data.userMutations.addUserWithRole.invitationLink).searchParams.get('token');
    const expired = await post(gw, '/auth/signup', {
      token: late,
      email: 'late@example.com',
      password: 'a-long-password',
    });
    assert.equal(expired.status, 400);
    assert.match(await message(expired), /expired/);
  });

  test('password reset: one-time link, new password works, old sessions end', async () => {
    const t = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    const user = await signInAs(gw, { roles: [`advertiser-view-${t}`] });
    const RESET = 'mutation ($u: String!) { userMutations { createPasswordResetLink(userId: $u) } }';
    assert.equal(errorCode(await user.gql(RESET, { u: admin.userId })), 401);
    const link = new URL((await admin.gql(RESET, { u: user.userId })).body.data.userMutations.createPasswordResetLink);
    assert.equal(link.searchParams.get('et'), 'reset');
    const token = link.searchParams.get('token');

    assert.equal((await post(gw, '/auth/reset', { token, password: 'short' })).status, 400);
    const ok = await post(gw, '/auth/reset', { token, password: 'a-brand-new-password' });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { signedIn: boolean }).signedIn, true);
    assert.equal((await user.gql('{ me { id } }')).status, 401, 'the old session ended');
    assert.equal((await post(gw, '/auth/login', { email: user.email, password: user.password })).status, 401);
    await logIn(gw, user.email, 'a-brand-new-password');
    assert.equal((await post(gw, '/auth/reset', { token, password: 'another-password' })).status, 400, 'once');
    await gw.gateway.db.query('DELETE FROM login_failures');
  });

  test('"Forgot password" marks the request for admins, says the same for unknown emails, and a reset link answers it', async () => {
    const t = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    const person = await createPerson(gw, { roles: [`advertiser-view-${t}`] });
    const known = await post(gw, '/auth/forgot', { email: person.email.toUpperCase() });
    const unknown = await post(gw, '/auth/forgot', { email: 'nobody-here@example.com' });
    assert.equal(known.status, 202);
    assert.equal(unknown.status, 202);
    assert.deepEqual(await known.json(), await unknown.json(), 'nobody can tell whether an email has an account');
    const bad = await post(gw, '/auth/forgot', { email: 'not an email' });
    assert.equal(bad.status, 400);
    assert.match(await message(bad), /valid email address/);

    const USERS = 'query ($t: String) { users(tenantId: $t) { id email passwordResetRequestedAt } }';
    const requested = async () =>
      (await admin.gql(USERS, { t })).body.data.users.find((u: any) => u.id === person.userId).passwordResetRequestedAt;
    const at = await requested();
    assert.ok(typeof at === 'number' && Math.abs(at - Date.now()) < 60_000, 'the admin sees when it was requested');

    const link = await admin.gql('mutation ($u: String!) { userMutations { createPasswordResetLink(userId: $u) } }', {
      u: person.userId,
    });
    assert.match(link.body.data.userMutations.createPasswordResetLink, /\/auth\/verify\/\?.*et=reset/);
    assert.equal(await requested(), null, 'making the link answers the request');
  });
});
