import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorBody } from '../../platform/http-app.js';

// GET /tls/allowed?domain=NAME: the `ask` endpoint of Caddy's on-demand TLS. 200 when a
// certificate may be issued for NAME (an active account's first-party domain, or the host of
// CAPIG_PUBLIC_URL), 404 otherwise, so nobody can make the proxy request certificates for names
// that merely point at it.
export function registerGetTlsAllowed(
  app: FastifyInstance,
  deps: { isAllowedDomain(domain: string): Promise<boolean> },
): void {
  app.get('/tls/allowed', async (req: FastifyRequest<{ Querystring: { domain?: string } }>, reply) => {
    const domain = normalizeDomain(req.query.domain);
    if (!domain) return reply.status(400).send(errorBody('domain must be a host name', 400, req.id));
    if (await deps.isAllowedDomain(domain)) return { domain, allowed: true };
    return reply.status(404).send({ domain, allowed: false });
  });
}

/** Lower case, without a trailing dot; null unless it looks like a DNS name (253 characters at most). */
export function normalizeDomain(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const d = raw.trim().toLowerCase().replace(/\.$/, '');
  if (d.length === 0 || d.length > 253) return null;
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(d) ? d : null;
}
