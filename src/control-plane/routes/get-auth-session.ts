import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../../platform/http-app.js';
import { roleName } from '../access.js';
import type { Authenticator } from '../auth/authenticator.js';

// GET /auth/session: who is signed in, and the CSRF token to send as x-csrf-token on mutations.
export function registerGetAuthSession(app: FastifyInstance, deps: { authenticator: Authenticator }): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    // Cookie only: this endpoint describes browser sessions, not bearer tokens.
    const principal = await deps.authenticator.authenticate({ cookie: req.headers.cookie });
    if (principal?.kind !== 'user') return reply.status(401).send(errorBody('not signed in', 401, req.id));
    const roles = [
      ...(principal.hostLevel ? [roleName({ scope: 'host', level: principal.hostLevel })] : []),
      ...[...principal.tenantLevels].map(([tenantId, level]) => roleName({ scope: 'tenant', tenantId, level })),
    ];
    return { user: { id: principal.userId, email: principal.email, roles }, csrfToken: principal.csrfToken };
  };
  app.get('/auth/session', handler);
  app.get('/auth/session/', handler);
}
