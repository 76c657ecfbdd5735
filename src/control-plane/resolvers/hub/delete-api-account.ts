import { createApiAccountsRepo } from '../../../database/repos/api-accounts-repo.js';
import type { ControlContext } from '../../context.js';
import { forbidden, notFound } from '../../errors.js';

// apiAccountMutations.deleteApiAccount (extension): irreversible; the account's tokens stop
// working at once here and within seconds on other instances. Host admins who are people.
export async function deleteApiAccount(_p: unknown, args: { id: string }, ctx: ControlContext): Promise<boolean> {
  if (ctx.principal.kind !== 'user') {
    throw forbidden('not authorized: API accounts cannot delete API accounts; a host admin does it signed in');
  }
  ctx.access.requireHost('admin');
  if (!(await createApiAccountsRepo(ctx.deps.db).delete(args.id))) throw notFound(`API account ${args.id} not found`);
  ctx.deps.apiTokens.forget(args.id);
  return true;
}
