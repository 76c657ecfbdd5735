import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiAccountsRepo } from '../../database/repos/api-accounts-repo.js';
import type { SessionsRepo } from '../../database/repos/sessions-repo.js';
import { clientIp } from '../../platform/http-app.js';
import type { ApiTokens } from '../auth/api-tokens.js';

// POST /clients/token: OAuth client credentials for API accounts (form, multipart or JSON). The
// answer carries both `access_token` (Meta's sample script) and `token` (Meta's docs). Throttled
// like logins (per client_id and per client IP, every attempt counted until it succeeds): each
// check costs a memory-hard hash, unknown client ids included.

const WINDOW_SEC = 15 * 60;
const MAX_FAILURES_PER_CLIENT = 10;
const MAX_FAILURES_PER_IP = 30;

export function registerPostClientsToken(
  app: FastifyInstance,
  deps: { apiAccounts: ApiAccountsRepo; apiTokens: ApiTokens; throttle: SessionsRepo },
): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = await readCredentials(req.body, req.headers['content-type'] as string | undefined);
    if (!body)
      return reply.status(400).send(oauthError('invalid_request', 'send client_id, client_secret and grant_type'));
    if (body.grant_type !== 'client_credentials') {
      return reply.status(400).send(oauthError('unsupported_grant_type', 'grant_type must be client_credentials'));
    }
    if (!body.client_id || !body.client_secret) {
      return reply.status(400).send(oauthError('invalid_request', 'client_id and client_secret are required'));
    }
    const keys = [
      // Hashed: a client_id may be any string (NUL included), the key must be storable.
      { key: `client:${createHash('sha256').update(body.client_id).digest('hex')}`, max: MAX_FAILURES_PER_CLIENT },
      { key: `client-ip:${clientIp(req) ?? 'unknown'}`, max: MAX_FAILURES_PER_IP },
    ];
    let wait = 0;
    for (const k of keys) wait = Math.max(wait, await deps.throttle.attempt(k.key, k.max, WINDOW_SEC));
    if (wait > 0) {
      return reply
        .status(429)
        .header('retry-after', String(wait))
        .send(
          oauthError('too_many_requests', `too many failed attempts; try again in ${Math.ceil(wait / 60)} minute(s)`),
        );
    }
    const account = await deps.apiAccounts.verify(body.client_id, body.client_secret);
    if (!account)
      return reply.status(401).send(oauthError('invalid_client', 'unknown client_id or wrong client_secret'));
    for (const k of keys) await deps.throttle.forgive(k.key);
    const { token, expiresIn } = deps.apiTokens.issue(account.id);
    return reply
      .header('cache-control', 'no-store')
      .send({ access_token: token, token, token_type: 'Bearer', expires_in: expiresIn });
  };
  app.post('/clients/token', handler);
  app.post('/clients/token/', handler);
}

function oauthError(error: string, description: string) {
  return { error, error_description: description };
}

async function readCredentials(body: unknown, contentType: string | undefined): Promise<Record<string, string> | null> {
  if (body && typeof body === 'object') return stringsOf(body as Record<string, unknown>);
  if (typeof body !== 'string' || body === '') return null;
  if (contentType?.startsWith('multipart/form-data')) {
    try {
      const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
      return stringsOf(Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string')));
    } catch {
      return null;
    }
  }
  try {
    const parsed = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? stringsOf(parsed) : null;
  } catch {
    return null;
  }
}

function stringsOf(o: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}
