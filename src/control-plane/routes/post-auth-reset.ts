import type { FastifyInstance } from 'fastify';
import type { LinkFlows } from '../auth/links.js';
import { readBody, refuseCrossSite, route, sendOutcome } from './auth-http.js';

// POST /auth/reset {token, password}: a password-reset link sets a new password (one use, 24 h)
// and ends the user's other sessions.
export function registerPostAuthReset(
  app: FastifyInstance,
  deps: { links: LinkFlows; publicUrl: string | null },
): void {
  route(app, 'POST', '/auth/reset', async (req, reply) => {
    if (refuseCrossSite(req, reply, deps.publicUrl)) return reply;
    const body = readBody(req, reply);
    if (body === null) return reply;
    return sendOutcome(req, reply, await deps.links.reset(body), deps.publicUrl);
  });
}
