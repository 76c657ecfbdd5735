import { createUsersRepo, HOST_SCOPE, USER_PENDING } from '../../../database/repos/users-repo.js';
import { mailLink } from '../../auth/link-mail.js';
import { issueLink } from '../../auth/links.js';
import type { ControlContext } from '../../context.js';
import { badInput, notFound } from '../../errors.js';
import { requireActOnUser, requireScopeAdmin, visibilityOf } from './people.js';

// userMutations.sendInvitation (Meta: ActivateElementMutation): a fresh 24-hour invitation link
// for a pending user of the account (ADVERTISER) or of the host (AGENCY, tenantId null). Older
// links of that user stop working. No mail is sent: the link is the answer.
interface SendInvitationInput {
  email: string;
  tenantId?: string | null;
  userType: 'AGENCY' | 'ADVERTISER';
}

export async function sendInvitation(
  _p: unknown,
  args: { input: SendInvitationInput },
  ctx: ControlContext,
): Promise<string> {
  const { input } = args;
  const tenantId = input.tenantId || null;
  if (input.userType === 'ADVERTISER' && !tenantId) throw badInput('tenantId is required for ADVERTISER users');
  const scope = input.userType === 'AGENCY' ? HOST_SCOPE : (tenantId as string);
  requireScopeAdmin(ctx, scope);
  const users = createUsersRepo(ctx.deps.db);
  const user = await users.getByEmail(visibilityOf(ctx), input.email);
  if (!user?.roles.some((r) => r.tenantId === scope)) {
    throw notFound(
      scope === HOST_SCOPE
        ? `no host user with the email ${input.email}`
        : `no user with the email ${input.email} in account ${scope}`,
    );
  }
  requireActOnUser(ctx, await users.scopesOf(user.id));
  if (user.status !== USER_PENDING) {
    throw badInput(`${user.email} has already signed up; for a new password use createPasswordResetLink`);
  }
  const link = await ctx.deps.db.transaction((tx) =>
    issueLink(tx, ctx.publicUrl, 'invitation', user, scope === HOST_SCOPE ? null : scope),
  );
  const accountName = user.roles.find((r) => r.tenantId === scope)?.tenantName ?? null;
  await mailLink(ctx.deps.mailer, 'invitation', user.email, link, accountName);
  return link;
}
