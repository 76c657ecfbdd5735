import { createHash, createPrivateKey, sign } from 'node:crypto';
import { type Dispatcher, request } from 'undici';
import { isNotAllowedError } from './destination-allow.js';
import { readCapped, redact } from './response-text.js';

// How a request to a custom destination proves who sends it. API keys and basic credentials are
// added as they are; OAuth access tokens (client credentials) and self-signed service-account JWTs
// are made once and reused per destination until shortly before they expire. Secrets never appear
// in a failure's message.

export type AuthType = 'NONE' | 'API_KEY' | 'BASIC' | 'CLIENT_CREDENTIALS' | 'JSON_WEB_TOKEN';

/** The part of a destination's configuration the auth reads. */
interface AuthSettings {
  endpoint: string;
  authType: AuthType;
  apiKeyName?: string | null;
  apiKeyAddTo?: 'HEADER' | 'QUERY_PARAM' | null;
  clientId?: string | null;
  authEndpoint?: string | null;
  authHttpMethod?: 'GET' | 'POST' | null;
  serviceUserAccount?: string | null;
}

interface AuthSecrets {
  apiKeyValue?: string | null;
  basicCredentials?: string | null;
  clientSecret?: string | null;
  privateKey?: string | null;
}

export type AuthResult =
  | {
      ok: true;
      headers: Record<string, string>;
      query: Array<[string, string]>;
      /** Values to mask wherever the request is shown. */
      sensitive: string[];
    }
  | {
      ok: false;
      /**
       * config: the settings cannot work; not_allowed: the token endpoint's address is refused
       * (both held); token: the token endpoint said no or did not answer.
       */
      kind: 'config' | 'not_allowed' | 'token';
      /** The token endpoint's HTTP status, null when it did not answer. */
      status: number | null;
      message: string;
    };

export interface Authenticator {
  /** The headers and query parameters for one request to the destination. */
  authorize(destinationId: string, settings: AuthSettings, secrets: AuthSecrets): Promise<AuthResult>;
  /** Forget the destination's token (it was refused), so the next authorize gets a new one. */
  invalidate(destinationId: string): void;
}

/** A JWT lives an hour; one with less than this left is signed anew. */
const JWT_LIFETIME_S = 3600;
const JWT_RENEW_BEFORE_MS = 5 * 60_000;
/** A token response without expires_in is trusted for this long (and dropped earlier after a 401). */
const DEFAULT_TOKEN_LIFETIME_S = 3600;
const TOKEN_BODY_MAX = 64 * 1024;
const CACHE_MAX = 10_000;

interface CachedToken {
  /** The settings and secrets it was made for: a changed secret makes a new one. */
  fingerprint: string;
  token: Promise<{ value: string; refreshAt: number } | (AuthResult & { ok: false })>;
}

export function createAuthenticator(deps: {
  dispatcher: Dispatcher;
  timeoutMs: number;
  now?: () => number;
}): Authenticator {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, CachedToken>();

  /** One token per destination at a time: concurrent requests share the same fetch. */
  function cached(
    destinationId: string,
    fingerprint: string,
    make: () => Promise<{ value: string; refreshAt: number } | (AuthResult & { ok: false })>,
  ) {
    const hit = cache.get(destinationId);
    if (hit && hit.fingerprint === fingerprint) return hit.token;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    const entry: CachedToken = { fingerprint, token: make() };
    cache.set(destinationId, entry);
    // Failures are not kept: the next batch asks again.
    void entry.token.then((t) => {
      if ('ok' in t && cache.get(destinationId) === entry) cache.delete(destinationId);
    });
    return entry.token;
  }

  async function bearer(
    destinationId: string,
    fingerprint: string,
    make: () => Promise<{ value: string; refreshAt: number } | (AuthResult & { ok: false })>,
    sensitive: string[],
  ): Promise<AuthResult> {
    let token = await cached(destinationId, fingerprint, make);
    if (!('ok' in token) && token.refreshAt <= now()) {
      cache.delete(destinationId);
      token = await cached(destinationId, fingerprint, make);
    }
    if ('ok' in token) return token;
    return {
      ok: true,
      headers: { authorization: `Bearer ${token.value}` },
      query: [],
      sensitive: [...sensitive, token.value],
    };
  }

  return {
    async authorize(destinationId, settings, secrets) {
      switch (settings.authType) {
        case 'NONE':
          return { ok: true, headers: {}, query: [], sensitive: [] };
        case 'API_KEY': {
          const name = settings.apiKeyName?.trim();
          const value = secrets.apiKeyValue;
          if (!name || !value) return configFailure('the API key needs a name and a value');
          if (settings.apiKeyAddTo === 'QUERY_PARAM')
            return { ok: true, headers: {}, query: [[name, value]], sensitive: [value] };
          return { ok: true, headers: { [name.toLowerCase()]: value }, query: [], sensitive: [value] };
        }
        case 'BASIC': {
          const credentials = secrets.basicCredentials;
          if (!credentials?.includes(':')) return configFailure('basic auth needs credentials as user:password');
          const encoded = Buffer.from(credentials, 'utf8').toString('base64');
          return {
            ok: true,
            headers: { authorization: `Basic ${encoded}` },
            query: [],
            sensitive: [encoded, credentials, credentials.slice(credentials.indexOf(':') + 1)],
          };
        }
        case 'CLIENT_CREDENTIALS': {
          const { clientId, authEndpoint } = settings;
          const clientSecret = secrets.clientSecret;
          if (!clientId || !clientSecret || !authEndpoint) {
            return configFailure('client credentials need a client id, a client secret and a token endpoint');
          }
          const method = settings.authHttpMethod === 'GET' ? 'GET' : 'POST';
          const fingerprint = digest(['cc', authEndpoint, method, clientId, clientSecret]);
          return bearer(
            destinationId,
            fingerprint,
            // Shared by concurrent requests, so it runs on its own deadline, not one caller's signal.
            () => fetchToken({ authEndpoint, method, clientId, clientSecret }),
            [clientSecret],
          );
        }
        case 'JSON_WEB_TOKEN': {
          const account = settings.serviceUserAccount?.trim();
          const pem = secrets.privateKey;
          if (!account || !pem) return configFailure('a JSON web token needs the service account and its private key');
          let audience: string;
          try {
            audience = new URL(settings.endpoint).origin;
          } catch {
            return configFailure('the endpoint is not a URL');
          }
          const fingerprint = digest(['jwt', account, audience, pem]);
          return bearer(destinationId, fingerprint, async () => signJwt(account, audience, pem, now()), [pem]);
        }
        default:
          return configFailure(`unknown auth type ${String(settings.authType)}`);
      }
    },
    invalidate(destinationId) {
      cache.delete(destinationId);
    },
  };

  async function fetchToken(o: {
    authEndpoint: string;
    method: 'GET' | 'POST';
    clientId: string;
    clientSecret: string;
  }): Promise<{ value: string; refreshAt: number } | (AuthResult & { ok: false })> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: o.clientId,
      client_secret: o.clientSecret,
    }).toString();
    let host = o.authEndpoint;
    try {
      const url = new URL(o.authEndpoint);
      host = url.host;
      if (o.method === 'GET') url.search = url.search ? `${url.search}&${form}` : `?${form}`;
      const res = await request(url, {
        method: o.method,
        dispatcher: deps.dispatcher,
        headers: {
          accept: 'application/json',
          ...(o.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: o.method === 'POST' ? form : null,
        headersTimeout: deps.timeoutMs,
        bodyTimeout: deps.timeoutMs,
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
      const text = redact(await readCapped(res.body, TOKEN_BODY_MAX), [o.clientSecret]);
      const json = parseObject(text);
      const token = json?.access_token;
      if (res.statusCode >= 200 && res.statusCode < 300 && typeof token === 'string' && token !== '') {
        const lifetimeS = Number(json?.expires_in ?? DEFAULT_TOKEN_LIFETIME_S);
        const lifetimeMs = Number.isFinite(lifetimeS) && lifetimeS > 0 ? lifetimeS * 1000 : 0;
        // Renewed a little early, so a token does not expire on its way to the destination.
        const refreshAt = now() + lifetimeMs - Math.min(60_000, lifetimeMs / 10);
        return { value: token, refreshAt };
      }
      const why =
        res.statusCode >= 200 && res.statusCode < 300 ? 'no access_token in the answer' : `HTTP ${res.statusCode}`;
      return {
        ok: false,
        kind: 'token',
        status: res.statusCode >= 200 && res.statusCode < 300 ? 502 : res.statusCode,
        message: `token request to ${host} failed: ${why}${text ? `: ${text.slice(0, 300)}` : ''}`,
      };
    } catch (err) {
      if (isNotAllowedError(err)) {
        const e = err as Error & { cause?: Error };
        const message = e.message.includes('CAPIG_DESTINATION_ALLOW') ? e.message : (e.cause?.message ?? e.message);
        return { ok: false, kind: 'not_allowed', status: null, message: `token endpoint: ${message}` };
      }
      const e = err as Error & { code?: string };
      const what =
        e.name === 'TimeoutError' ? `timed out after ${deps.timeoutMs} ms` : `${e.code ?? e.name}: ${e.message}`;
      return {
        ok: false,
        kind: 'token',
        status: null,
        message: redact(`token request to ${host} failed: ${what}`, [o.clientSecret]).slice(0, 500),
      };
    }
  }
}

/**
 * A service account's token: an RS256 JWT it signs itself (iss and sub the account, aud the
 * destination's origin, an hour long).
 */
function signJwt(
  account: string,
  audience: string,
  pem: string,
  nowMs: number,
): { value: string; refreshAt: number } | (AuthResult & { ok: false }) {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pem);
  } catch {
    return configFailure('the private key is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa') return configFailure('the private key must be an RSA key (RS256)');
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + JWT_LIFETIME_S;
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iss: account, sub: account, aud: audience, iat, exp }));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key).toString('base64url');
  return { value: `${header}.${payload}.${signature}`, refreshAt: exp * 1000 - JWT_RENEW_BEFORE_MS };
}

function configFailure(message: string): AuthResult & { ok: false } {
  return { ok: false, kind: 'config', status: null, message };
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function digest(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
