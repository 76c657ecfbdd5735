import type { FastifyInstance } from 'fastify';
import type { LinkFlows } from '../auth/links.js';
import { readBody, refuseCrossSite, route, sendOutcome } from './auth-http.js';

// POST /auth/signup {token, email, password}: an invitation link sets the password (one use, 24 h);
// the user becomes active and is signed in.
export function registerPostAuthSignup(
  app: FastifyInstance,
  deps: { links: LinkFlows; publicUrl: string | null },
): void {
  route(app, 'POST', '/auth/signup', async (req, reply) => {
    if (refuseCrossSite(req, reply, deps.publicUrl)) return reply;
    const body = readBody(req, reply);
    if (body === null) return reply;
    return sendOutcome(req, reply, await deps.links.signup(body), deps.publicUrl);
  });
}
