import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, parseJsonBody } from '../../platform/http-app.js';
import type { AuthOutcome } from '../auth/outcome.js';
import { clearedCookies, sessionCookies } from '../auth/sessions.js';

// What the /auth/* routes share: both path spellings, the cross-site guard, and turning an
// AuthOutcome into a status, cookies and a body (errors in the gateway's one error shape).

export type AuthHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export function route(app: FastifyInstance, method: 'GET' | 'POST', path: string, handler: AuthHandler): void {
  app.route({ method, url: path, handler });
  app.route({ method, url: `${path}/`, handler });
}

/**
 * Browsers mark requests another site makes with Sec-Fetch-Site: cross-site, and older ones at
 * least send Origin. Refusing either stops a foreign page from signing a visitor in or out
 * (SameSite=Lax does not cover a top-level POST). Clients that are not browsers send neither.
 */
export function refuseCrossSite(req: FastifyRequest, reply: FastifyReply, publicUrl: string | null = null): boolean {
  const crossSite = req.headers['sec-fetch-site'] === 'cross-site' || foreignOrigin(req, publicUrl);
  if (!crossSite) return false;
  reply.status(403).send(errorBody('cross-site requests to /auth are refused', 403, req.id));
  return true;
}

/** An Origin that is neither this request's own host nor CAPIG_PUBLIC_URL's. */
function foreignOrigin(req: FastifyRequest, publicUrl: string | null): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return true; // "null" (a sandboxed or file: page) or garbage
  }
  if (host === (req.headers.host ?? '').toLowerCase()) return false;
  if (publicUrl && host === new URL(publicUrl).host.toLowerCase()) return false;
  return true;
}

/** The JSON (or form) body as an object, or null after answering 400. */
export function readBody(req: FastifyRequest, reply: FastifyReply): unknown | null {
  const body = parseJsonBody(req.body);
  if (!body.ok) {
    reply.status(400).send(errorBody(body.message, 400, req.id));
    return null;
  }
  // null means "already answered" to the callers, so a JSON null (or any non-object) is answered here.
  if (body.value === null || typeof body.value !== 'object' || Array.isArray(body.value)) {
    reply.status(400).send(errorBody('send a JSON object, like {"email": "…", "password": "…"}', 400, req.id));
    return null;
  }
  // PostgreSQL text cannot hold U+0000: refuse it here rather than fail in a query.
  if (containsNul(body.value)) {
    reply.status(400).send(errorBody('fields must not contain U+0000 (NUL)', 400, req.id));
    return null;
  }
  return body.value;
}

/** Secure cookies when the request came over TLS, or the gateway's public URL is https. */
export function isSecure(req: FastifyRequest, publicUrl: string | null): boolean {
  return req.protocol === 'https' || (publicUrl?.startsWith('https:') ?? false);
}

export function sendOutcome(req: FastifyRequest, reply: FastifyReply, outcome: AuthOutcome, publicUrl: string | null) {
  reply.header('cache-control', 'no-store');
  if (!outcome.ok) {
    if (outcome.retryAfterSec) reply.header('retry-after', String(outcome.retryAfterSec));
    return reply.status(outcome.status).send(errorBody(outcome.message, outcome.status, req.id));
  }
  if (outcome.session) reply.header('set-cookie', sessionCookies(outcome.session, isSecure(req, publicUrl)));
  else if (outcome.endSession) reply.header('set-cookie', clearedCookies(isSecure(req, publicUrl)));
  return reply.status(outcome.status).send(outcome.body);
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
}
