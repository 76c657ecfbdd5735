import { createUsersRepo, type UserRecord } from '../../../database/repos/users-repo.js';
import type { ControlContext } from '../../context.js';
import { visibilityOf } from './people.js';

// Query.me (extension): the signed-in person; null for API accounts.
export function me(_p: unknown, _a: unknown, ctx: ControlContext): Promise<UserRecord | null> | null {
  if (ctx.principal.kind !== 'user') return null;
  return createUsersRepo(ctx.deps.db).get(visibilityOf(ctx), ctx.principal.userId);
}
