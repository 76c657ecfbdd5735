import { randomBytes } from 'node:crypto';
import { parseRole } from '../../src/control-plane/access.js';
import { hashSecret } from '../../src/control-plane/auth/passwords.js';
import { createTenantsRepo } from '../../src/database/repos/tenants-repo.js';
import { createUsersRepo, HOST_SCOPE, USER_ACTIVE } from '../../src/database/repos/users-repo.js';
import type { TestGateway } from '../harness.js';

// Callers for control-plane tests: an API account with a bearer token, or a person signed in
// through POST /auth/login whose requests carry the session cookie and the CSRF header.

export interface GqlResult {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: number } }[] };
}

export interface Caller {
  /** POST a GraphQL document to /hub/graphql/ (default) or /capig/graphql/. */
  gql(query: string, variables?: Record<string, unknown>, opts?: { path?: 'hub' | 'capig' }): Promise<GqlResult>;
  /** fetch against the gateway with this caller's credentials. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export interface Person extends Caller {
  userId: string;
  email: string;
  password: string;
  sessionId: string;
  csrfToken: string;
  /** Only the session cookie, no x-csrf-token: for CSRF refusal tests. */
  withoutCsrf: Caller;
}

export interface ApiCaller extends Caller {
  token: string;
  clientId: string;
  clientSecret: string;
}

function caller(gw: TestGateway, headers: Record<string, string>): Caller {
  const doFetch = (path: string, init: RequestInit = {}) =>
    fetch(`${gw.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  return {
    fetch: doFetch,
    async gql(query, variables = {}, opts = {}) {
      const res = await doFetch(`/${opts.path ?? 'hub'}/graphql/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as GqlResult['body'] };
    },
  };
}

/** Nobody signed in. */
export function anonymous(gw: TestGateway): Caller {
  return caller(gw, {});
}

/** A new API account and its bearer token from POST /clients/token. */
export async function apiToken(gw: TestGateway, name = `api${randomBytes(4).toString('hex')}`): Promise<ApiCaller> {
  const { secret } = await gw.gateway.apiAccounts.create(name, null);
  const res = await fetch(`${gw.url}/clients/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: name, client_secret: secret, grant_type: 'client_credentials' }),
  });
  if (res.status !== 200) throw new Error(`token exchange failed: HTTP ${res.status}`);
  const { access_token: token } = (await res.json()) as { access_token: string };
  return { ...caller(gw, { authorization: `Bearer ${token}` }), token, clientId: name, clientSecret: secret };
}

/** Creates an account directly (managed unless said otherwise) and returns its id. */
export async function createAccount(
  gw: TestGateway,
  opts: { managed?: boolean; name?: string; id?: string } = {},
): Promise<string> {
  const id = opts.id ?? `T${randomBytes(4).toString('hex').slice(0, 7)}`;
  await gw.gateway.accounts.createTenant({ id, name: opts.name ?? `Account ${id}`, managed: opts.managed ?? true });
  return id;
}

/** Connects a pixel to an existing account (gw.addPixel would try to create the account). */
export async function addPixelTo(gw: TestGateway, tenantId: string): Promise<{ pixelId: string; accessKey: string }> {
  const pixelId = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const { accessKey } = await gw.gateway.accounts.addPixel({ pixelId, tenantId, accessToken: `token-${pixelId}` });
  return { pixelId, accessKey };
}

/** Creates an active user with these roles (e.g. 'agency-admin', `advertiser-view-${id}`). */
export async function createPerson(
  gw: TestGateway,
  opts: { email?: string; password?: string; roles?: string[] } = {},
): Promise<{ userId: string; email: string; password: string }> {
  const email = opts.email ?? `p${randomBytes(5).toString('hex')}@example.com`;
  const password = opts.password ?? `pw-${randomBytes(8).toString('hex')}`;
  const users = createUsersRepo(gw.gateway.db);
  const userId = await users.create({ email, status: USER_ACTIVE, passwordHash: await hashSecret(password) });
  for (const name of opts.roles ?? []) {
    const role = parseRole(name);
    if (!role) throw new Error(`not a role: ${name}`);
    if (role.scope === 'tenant' && !(await createTenantsRepo(gw.gateway.db).exists(role.tenantId))) {
      throw new Error(`role ${name}: account ${role.tenantId} does not exist (createAccount first)`);
    }
    await users.grant(userId, role.scope === 'host' ? HOST_SCOPE : role.tenantId, role.level);
  }
  return { userId, email: email.toLowerCase(), password };
}

/** Logs in through POST /auth/login and returns a caller carrying the session cookie and CSRF token. */
export async function logIn(gw: TestGateway, email: string, password: string): Promise<Omit<Person, 'userId'>> {
  const res = await fetch(`${gw.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${email} failed: HTTP ${res.status} ${await res.text()}`);
  const cookies = cookiesOf(res);
  const sessionId = cookies.capig_session as string;
  const csrfToken = cookies.capig_csrf as string;
  const cookie = `capig_session=${sessionId}; capig_csrf=${csrfToken}`;
  return {
    ...caller(gw, { cookie, 'x-csrf-token': csrfToken }),
    withoutCsrf: caller(gw, { cookie }),
    email,
    password,
    sessionId,
    csrfToken,
  };
}

/** A person with these roles, signed in. */
export async function signInAs(
  gw: TestGateway,
  opts: { email?: string; password?: string; roles: string[] },
): Promise<Person> {
  const p = await createPerson(gw, opts);
  return { ...(await logIn(gw, p.email, p.password)), userId: p.userId };
}

/** name=value of each Set-Cookie header. */
export function cookiesOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = (pair ?? '').indexOf('=');
    if (eq > 0) out[(pair as string).slice(0, eq)] = (pair as string).slice(eq + 1);
  }
  return out;
}

/** The code of the first GraphQL error, or undefined. */
export function errorCode(r: GqlResult): number | undefined {
  return r.body.errors?.[0]?.extensions?.code;
}
