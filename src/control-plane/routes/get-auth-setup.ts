import type { FastifyInstance } from 'fastify';
import type { Db } from '../../database/db.js';
import { createUsersRepo } from '../../database/repos/users-repo.js';

// GET /auth/setup: whether this install still needs its first admin (the dashboard then offers
// "Create admin account" instead of the login form).
export function registerGetAuthSetup(app: FastifyInstance, deps: { db: Db }): void {
  const handler = async () => ({ setupNeeded: (await createUsersRepo(deps.db).count()) === 0 });
  app.get('/auth/setup', handler);
  app.get('/auth/setup/', handler);
}
