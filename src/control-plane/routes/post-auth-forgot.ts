import type { FastifyInstance } from 'fastify';
import type { Db } from '../../database/db.js';
import { createUsersRepo, emailProblem } from '../../database/repos/users-repo.js';
import { errorBody } from '../../platform/http-app.js';
import type { Logger } from '../../platform/logger.js';
import type { Mailer } from '../../platform/mailer.js';
import { mailLink } from '../auth/link-mail.js';
import { issueLink } from '../auth/links.js';
import { readBody, refuseCrossSite, route } from './auth-http.js';

// POST /auth/forgot {email}: "Forgot password" on the login page. The request is marked on the user,
// so admins see it under Users; with SMTP configured the reset link is also emailed at once. The
// answer is the same, and as fast, whether or not the email is known: nobody can probe for accounts.

/** One reset email per address per this many minutes; later requests are answered but ignored. */
const QUIET_MIN = 5;

export function registerPostAuthForgot(
  app: FastifyInstance,
  deps: { db: Db; mailer: Mailer; publicUrl: string | null; log: Logger },
): void {
  route(app, 'POST', '/auth/forgot', async (req, reply) => {
    if (refuseCrossSite(req, reply, deps.publicUrl)) return reply;
    const body = readBody(req, reply);
    if (body === null) return reply;
    const email = (body as { email?: unknown } | null)?.email;
    const problem = emailProblem(email);
    if (problem) return reply.status(400).send(errorBody(problem, 400, req.id));
    const user = await createUsersRepo(deps.db).requestPasswordReset(email as string, QUIET_MIN);
    if (user && deps.mailer.enabled) {
      const base = deps.publicUrl ?? `${req.protocol}://${req.host}`;
      // Not awaited: the answer must not take longer for known addresses than for unknown ones.
      void issueLink(deps.db, base, 'password_reset', user, null)
        .then((link) => mailLink(deps.mailer, 'password_reset', user.email, link, null))
        .catch((err: Error) => deps.log.warn({ err: { message: err.message } }, 'password reset email failed'));
    }
    return reply.status(202).header('cache-control', 'no-store').send({ requested: true });
  });
}
