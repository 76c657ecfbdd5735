import { apiAccountNameProblem, createApiAccountsRepo } from '../../../database/repos/api-accounts-repo.js';
import { createSessionsRepo } from '../../../database/repos/sessions-repo.js';
import { createUsersRepo } from '../../../database/repos/users-repo.js';
import { verifySecret } from '../../auth/passwords.js';
import type { ControlContext } from '../../context.js';
import { badInput, ControlError, conflict, forbidden } from '../../errors.js';
import { apiAccountView } from './api-accounts.js';

// apiAccountMutations.createApiAccount (extension; Meta's UI "Add API account"): host admins who
// are people, re-entering their password (a stolen session alone cannot mint API credentials).
// The secret is in this answer and nowhere else; only its hash is stored.

const REAUTH_MAX_FAILURES = 5;
const REAUTH_WINDOW_SEC = 15 * 60;

export async function createApiAccount(
  _p: unknown,
  args: { name: string; password?: string | null },
  ctx: ControlContext,
) {
  if (ctx.principal.kind !== 'user') {
    throw forbidden('not authorized: API accounts cannot create API accounts; a host admin does it signed in');
  }
  ctx.access.requireHost('admin');
  const problem = apiAccountNameProblem(args.name);
  if (problem) throw badInput(problem);
  if (!args.password) throw badInput('password is required: re-enter your own password');
  await requirePassword(ctx, ctx.principal.userId, args.password);
  try {
    const { account, secret } = await createApiAccountsRepo(ctx.deps.db).create(args.name, ctx.principal.userId);
    return { apiAccount: apiAccountView(account), clientId: account.name, clientSecret: secret };
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw conflict(`an API account named ${args.name} already exists`);
    throw err;
  }
}

/** Re-authentication, throttled like logins so a session cannot be used to guess the password. */
async function requirePassword(ctx: ControlContext, userId: string, password: string): Promise<void> {
  const throttle = createSessionsRepo(ctx.deps.db);
  const key = `reauth:${userId}`;
  const wait = await throttle.attempt(key, REAUTH_MAX_FAILURES, REAUTH_WINDOW_SEC);
  if (wait > 0) throw new ControlError(401, `too many wrong passwords; try again in ${Math.ceil(wait / 60)} minute(s)`);
  const hash = await createUsersRepo(ctx.deps.db).passwordHash(userId);
  if (!hash || !(await verifySecret(password.slice(0, 200), hash))) {
    throw forbidden('the password is wrong: re-enter your own password');
  }
  await throttle.clearFailures(key);
}
