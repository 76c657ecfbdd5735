import type { FastifyInstance } from 'fastify';
import { parseCookieHeader } from '../../pipeline/fb-cookies.js';
import { SESSION_COOKIE } from '../auth/authenticator.js';
import type { Sessions } from '../auth/sessions.js';
import { refuseCrossSite, route, sendOutcome } from './auth-http.js';

// POST /auth/logout: ends the session (if any) and clears both cookies. Always 200.
export function registerPostAuthLogout(
  app: FastifyInstance,
  deps: { sessions: Sessions; publicUrl: string | null },
): void {
  route(app, 'POST', '/auth/logout', async (req, reply) => {
    if (refuseCrossSite(req, reply, deps.publicUrl)) return reply;
    const sessionId = parseCookieHeader(req.headers.cookie)[SESSION_COOKIE];
    if (sessionId) await deps.sessions.end(sessionId);
    return sendOutcome(
      req,
      reply,
      { ok: true, status: 200, body: { signedOut: true }, endSession: true },
      deps.publicUrl,
    );
  });
}
