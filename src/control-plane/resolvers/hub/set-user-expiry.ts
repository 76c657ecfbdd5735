import { createUsersRepo, type UserRecord } from '../../../database/repos/users-repo.js';
import type { ControlContext } from '../../context.js';
import { badInput } from '../../errors.js';
import { expiryProblem, requireActOnUser, visibleUser } from './people.js';

// userMutations.setUserExpiry (extension): a temporary user's access ends at the end of that day
// (UTC): sessions and logins are refused from the next day on. null makes the user permanent.
export async function setUserExpiry(
  _p: unknown,
  args: { userId: string; userExpiry?: string | null },
  ctx: ControlContext,
): Promise<UserRecord> {
  const problem = expiryProblem(args.userExpiry);
  if (problem) throw badInput(problem);
  await visibleUser(ctx, args.userId);
  const users = createUsersRepo(ctx.deps.db);
  requireActOnUser(ctx, await users.scopesOf(args.userId));
  await users.setExpiry(args.userId, args.userExpiry ?? null);
  return visibleUser(ctx, args.userId);
}
