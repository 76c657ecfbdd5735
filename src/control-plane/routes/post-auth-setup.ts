import type { FastifyInstance } from 'fastify';
import { clientIp } from '../../platform/http-app.js';
import type { SetupFlow } from '../auth/first-admin.js';
import { readBody, refuseCrossSite, route, sendOutcome } from './auth-http.js';

// POST /auth/setup {email, password}: creates the first host admin of a fresh install and signs
// them in; 409 as soon as any user exists. (`capig admin create` does the same from a shell.)
export function registerPostAuthSetup(
  app: FastifyInstance,
  deps: { setup: SetupFlow; publicUrl: string | null },
): void {
  route(app, 'POST', '/auth/setup', async (req, reply) => {
    if (refuseCrossSite(req, reply, deps.publicUrl)) return reply;
    const body = readBody(req, reply);
    if (body === null) return reply;
    return sendOutcome(req, reply, await deps.setup(body, clientIp(req) ?? 'unknown'), deps.publicUrl);
  });
}
