import { type ApiAccount, createApiAccountsRepo } from '../../../database/repos/api-accounts-repo.js';
import type { ControlContext } from '../../context.js';

// Query.apiAccounts (extension): the API accounts, never their secrets. Host admins.
export async function apiAccounts(_p: unknown, _a: unknown, ctx: ControlContext) {
  ctx.access.requireHost('admin');
  return (await createApiAccountsRepo(ctx.deps.db).list()).map(apiAccountView);
}

export function apiAccountView(a: ApiAccount) {
  return {
    id: a.id,
    name: a.name,
    createdAt: a.createdAt.toISOString(),
    lastUsedAt: a.lastUsedAt?.toISOString() ?? null,
  };
}
