import { createUsersRepo, USER_ACTIVE, USER_PENDING } from '../../../database/repos/users-repo.js';
import { mailLink } from '../../auth/link-mail.js';
import { issueLink } from '../../auth/links.js';
import type { ControlContext } from '../../context.js';
import { badInput } from '../../errors.js';
import { requireActOnUser, visibleUser } from './people.js';

// userMutations.createPasswordResetLink (extension; Meta's UI "Reset"): a one-time link, valid
// 24 hours, to /auth/verify/?et=reset. The caller must administer every account the user is in.
export async function createPasswordResetLink(
  _p: unknown,
  args: { userId: string },
  ctx: ControlContext,
): Promise<string> {
  const user = await visibleUser(ctx, args.userId);
  requireActOnUser(ctx, await createUsersRepo(ctx.deps.db).scopesOf(user.id));
  if (user.status === USER_PENDING) throw badInput(`${user.email} has not signed up yet: use sendInvitation`);
  if (user.status !== USER_ACTIVE) throw badInput(`${user.email} is deactivated`);
  const link = await ctx.deps.db.transaction(async (tx) => {
    await createUsersRepo(tx).clearPasswordResetRequest(user.id);
    return issueLink(tx, ctx.publicUrl, 'password_reset', user, null);
  });
  await mailLink(ctx.deps.mailer, 'password_reset', user.email, link, null);
  return link;
}
