import { randomBytes, randomInt } from 'node:crypto';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from '../harness.js';

// A real gateway and fake Graph API, driven the way Meta's clients drive it: POST /clients/token
// with an API account's credentials, then GraphQL with `Authorization: Bearer <token>`.

export interface GqlAnswer {
  status: number;
  body: { data?: any; errors?: Array<{ message: string; extensions?: { code?: number } }> };
}

export interface CapigTest {
  gw: TestGateway;
  /** Bearer token of an API account (a host admin on managed accounts). */
  token: string;
  /** POST /capig/graphql/ as the API account (or with `token`, null for none). */
  gql(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlAnswer>;
  /** A new account (managed unless said otherwise) with a Meta-like 8-character id. */
  newAccount(opts?: { managed?: boolean; name?: string }): Promise<string>;
  /** Connects a pixel through setupPixelSignalConfig; returns its id and server-events key. */
  connectPixel(tenantId: string, opts?: { pixelId?: string; token?: string }): Promise<ConnectedPixel>;
  stop(): Promise<void>;
}

export interface ConnectedPixel {
  tenantId: string;
  pixelId: string;
  accessKey: string;
  token: string;
}

export const SETUP = `mutation Setup($tenantId: ID!, $input: PixelConnectionCreationInput!) {
  tenantMutations(tenantId: $tenantId) { signalMutations { setupPixelSignalConfig(input: $input) {
    id connectionId connectionStatus { accessKey accessTokenVerified eventBridgeActive pixelName } } } } }`;

export async function startCapigTest(opts: TestGatewayOptions = {}): Promise<CapigTest> {
  const gw = await startTestGateway(opts);
  const name = `capigtest${randomBytes(3).toString('hex')}`;
  const { secret } = await gw.gateway.apiAccounts.create(name, null);
  const res = await fetch(`${gw.url}/clients/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: name, client_secret: secret, grant_type: 'client_credentials' }),
  });
  if (res.status !== 200) throw new Error(`POST /clients/token answered ${res.status}`);
  const token = ((await res.json()) as { access_token: string }).access_token;

  const gql: CapigTest['gql'] = async (query, variables = {}, as = token) => {
    const r = await fetch(`${gw.url}/capig/graphql/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(as ? { authorization: `Bearer ${as}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: r.status, body: (await r.json()) as GqlAnswer['body'] };
  };

  return {
    gw,
    token,
    gql,
    async newAccount(o = {}) {
      const id = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
      await gw.gateway.accounts.createTenant({ id, name: o.name ?? `Account ${id}`, managed: o.managed ?? true });
      return id;
    },
    async connectPixel(tenantId, o = {}) {
      const pixelId = o.pixelId ?? newPixelId();
      const accessToken = o.token ?? `EAAtoken${randomBytes(8).toString('hex')}`;
      const input = { pixelId, businessId: newPixelId(), accessToken, externalId: '' };
      const answer = await gql(SETUP, { tenantId, input });
      const config = answer.body.data?.tenantMutations?.signalMutations?.setupPixelSignalConfig;
      if (!config) throw new Error(`setupPixelSignalConfig failed: ${JSON.stringify(answer.body.errors)}`);
      return { tenantId, pixelId, accessKey: config.connectionStatus.accessKey, token: accessToken };
    },
    stop: () => gw.stop(),
  };
}

/** A Meta-like pixel id (15 to 16 digits), unique enough for one test run. */
export function newPixelId(): string {
  return `${randomInt(1, 10)}${String(randomInt(0, 2 ** 47)).padStart(15, '0')}`;
}

/** The error codes of an answer, e.g. [404]. */
export function codes(answer: GqlAnswer): Array<number | undefined> {
  return (answer.body.errors ?? []).map((e) => e.extensions?.code);
}
