import type { FastifyInstance } from 'fastify';
import type { Db } from '../../database/db.js';
import { createUsersRepo, emailProblem } from '../../database/repos/users-repo.js';
import { errorBody } from '../../platform/http-app.js';
import { readBody, refuseCrossSite, route } from './auth-http.js';

// POST /auth/forgot {email}: "Forgot password" on the login page. The gateway sends no email, so
// the request is marked on the user and admins see it under Users, where they make the reset link.
// The answer is the same whether or not the email is known, so nobody can probe for accounts.
export function registerPostAuthForgot(app: FastifyInstance, deps: { db: Db }): void {
  route(app, 'POST', '/auth/forgot', async (req, reply) => {
    if (refuseCrossSite(req, reply)) return reply;
    const body = readBody(req, reply);
    if (body === null) return reply;
    const email = (body as { email?: unknown } | null)?.email;
    const problem = emailProblem(email);
    if (problem) return reply.status(400).send(errorBody(problem, 400, req.id));
    await createUsersRepo(deps.db).requestPasswordReset(email as string);
    return reply.status(202).header('cache-control', 'no-store').send({ requested: true });
  });
}
