import { createUsersRepo, emailProblem, USER_PENDING, type UserRecord } from '../../../database/repos/users-repo.js';
import { mailLink } from '../../auth/link-mail.js';
import { issueLink } from '../../auth/links.js';
import type { ControlContext } from '../../context.js';
import { badInput, conflict } from '../../errors.js';
import {
  expiryProblem,
  mayActOnUser,
  requireScopeAdmin,
  roleFromInput,
  scopeOf,
  visibilityOf,
  visibleUser,
} from './people.js';

// userMutations.addUserWithRole (Meta: useAddUserAccountMutation). Admins of the role's scope.
// A new email becomes a Pending user with a 24-hour invitation link; an existing user gains the
// role (userAlreadyExist true); 409 when they already belong to that account (or the host).
interface AddUserWithRoleInput {
  email: string;
  roleName: string;
  userExpiry?: string | null;
}

export async function addUserWithRole(
  _p: unknown,
  args: { input: AddUserWithRoleInput },
  ctx: ControlContext,
): Promise<{ userAlreadyExist: boolean; invitationLink: string | null; user: UserRecord }> {
  const { input } = args;
  const problem = emailProblem(input.email);
  if (problem) throw badInput(problem);
  const email = input.email.trim().toLowerCase();
  const role = await roleFromInput(ctx, input.roleName);
  const scope = scopeOf(role);
  requireScopeAdmin(ctx, scope);
  const expiryIssue = expiryProblem(input.userExpiry);
  if (expiryIssue) throw badInput(expiryIssue);

  const added = await ctx.deps.db.transaction(async (tx) => {
    const users = createUsersRepo(tx);
    const existing = await users.idByEmail(email);
    if (existing && input.userExpiry != null) {
      throw badInput(`${email} already exists: change their expiry with setUserExpiry`);
    }
    // Whether the caller could already see this person: only then may the answer say they exist.
    const known = existing ? (await users.get(visibilityOf(ctx), existing.id)) !== null : false;
    const scopes = existing ? await users.scopesOf(existing.id) : [];
    if (scopes.some((s) => s.tenantId === scope)) {
      throw conflict(
        role.scope === 'host' ? `${email} is already a host user` : `${email} is already in account ${role.tenantId}`,
      );
    }
    const userId = existing?.id ?? (await users.create({ email, status: USER_PENDING, userExpiry: input.userExpiry }));
    await users.grant(userId, scope, role.level);
    const pending = (existing?.status ?? USER_PENDING) === USER_PENDING;
    // The link signs in as that user everywhere: only hand it out if the caller runs all their accounts.
    const mayInvite = mayActOnUser(ctx, [...scopes, { tenantId: scope }]);
    // The link shows the address as typed, as in Meta's sample; signup compares it lower-cased.
    const asTyped = input.email.trim();
    const invitationLink =
      pending && mayInvite
        ? await issueLink(tx, ctx.publicUrl, 'invitation', { id: userId, email: asTyped }, scope || null)
        : null;
    return { userId, userAlreadyExist: known, invitationLink };
  });
  const user = await visibleUser(ctx, added.userId);
  if (added.invitationLink) {
    const accountName = user.roles.find((r) => r.tenantId === scope)?.tenantName ?? null;
    await mailLink(ctx.deps.mailer, 'invitation', input.email.trim(), added.invitationLink, accountName);
  }
  return { userAlreadyExist: added.userAlreadyExist, invitationLink: added.invitationLink, user };
}
