import type { FastifyInstance } from 'fastify';
import { clientIp } from '../../platform/http-app.js';
import type { Login } from '../auth/login.js';
import { readBody, refuseCrossSite, route, sendOutcome } from './auth-http.js';

// POST /auth/login {email, password}: sets the session and CSRF cookies; 401 on bad credentials,
// 403 for a deactivated or expired user, 429 (Retry-After) after too many failures.
export function registerPostAuthLogin(app: FastifyInstance, deps: { login: Login; publicUrl: string | null }): void {
  route(app, 'POST', '/auth/login', async (req, reply) => {
    if (refuseCrossSite(req, reply, deps.publicUrl)) return reply;
    const body = readBody(req, reply);
    if (body === null) return reply;
    return sendOutcome(req, reply, await deps.login(body, clientIp(req) ?? 'unknown'), deps.publicUrl);
  });
}
