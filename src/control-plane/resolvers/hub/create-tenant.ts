import {
  createAccountsRepo,
  TENANT_ACTIVE,
  TENANT_SETUP_IN_PROGRESS,
  type TenantStatus,
} from '../../../database/repos/accounts-repo.js';
import { createTenantsRepo, newTenantId, type TenantRecord } from '../../../database/repos/tenants-repo.js';
import { createUsersRepo, emailProblem, USER_PENDING } from '../../../database/repos/users-repo.js';
import { mailLink } from '../../auth/link-mail.js';
import { issueLink } from '../../auth/links.js';
import type { ControlContext } from '../../context.js';
import { badInput } from '../../errors.js';
import { mayActOnUser, refreshAccess } from './people.js';

// tenantMutations.createTenant (Meta: CreateTenantMutation). Host admins only.
// - managed (canPartnerManage true): active at once; host users reach it through their host role,
//   and a person who creates it also becomes its admin ("Continue as account administrator").
// - unmanaged: adminEmail is required; that user gets advertiser-admin-<id> (created Pending when
//   new) and the account stays "setup in progress" (status 1) until they sign up. The invitation
//   link comes back in our extension field invitationLink.
interface CreateTenantInput {
  name: string;
  canPartnerManage: boolean;
  adminEmail?: string | null;
  eventEnrichment: boolean;
}

export async function createTenant(
  _p: unknown,
  args: { input: CreateTenantInput },
  ctx: ControlContext,
): Promise<{ tenant: TenantRecord; invitationLink: string | null }> {
  ctx.access.requireHost('admin');
  const { input } = args;
  const name = input.name.trim();
  if (name === '' || name.length > 100) throw badInput('name must be 1 to 100 characters');
  const managed = input.canPartnerManage;
  const adminEmail = input.adminEmail?.trim() || null;
  if (!managed && !adminEmail) {
    throw badInput('adminEmail is required when canPartnerManage is false: that person completes the setup');
  }
  const emailIssue = adminEmail ? emailProblem(adminEmail) : null;
  if (emailIssue) throw badInput(`adminEmail: ${emailIssue}`);

  const created = await ctx.deps.db.transaction(async (tx) => {
    const tenants = createTenantsRepo(tx);
    const users = createUsersRepo(tx);
    let id = newTenantId();
    while (await tenants.exists(id)) id = newTenantId();

    let status: TenantStatus = TENANT_ACTIVE;
    let admin: { id: string; email: string; pending: boolean; mayInvite: boolean } | null = null;
    if (adminEmail) {
      const existing = await users.idByEmail(adminEmail);
      const scopes = existing ? await users.scopesOf(existing.id) : [];
      const userId = existing?.id ?? (await users.create({ email: adminEmail, status: USER_PENDING }));
      const pending = (existing?.status ?? USER_PENDING) === USER_PENDING;
      // A link signs in as that user everywhere: only hand it out if the caller runs all their accounts.
      admin = { id: userId, email: adminEmail.toLowerCase(), pending, mayInvite: mayActOnUser(ctx, scopes) };
      if (!managed && pending) status = TENANT_SETUP_IN_PROGRESS;
    }
    await createAccountsRepo(tx, ctx.deps.box).createTenant({
      id,
      name,
      managed,
      status,
      eventEnrichment: input.eventEnrichment,
    });
    if (admin) await users.grant(admin.id, id, 'admin');
    if (managed && ctx.principal.kind === 'user') await users.grant(ctx.principal.userId, id, 'admin');
    const invitationLink =
      admin?.pending && admin.mayInvite ? await issueLink(tx, ctx.publicUrl, 'invitation', admin, id) : null;
    const tenant: TenantRecord = { id, name, status, managed, eventEnrichment: input.eventEnrichment };
    return { tenant, invitationLink };
  });
  await refreshAccess(ctx);
  if (created.invitationLink && adminEmail) {
    await mailLink(ctx.deps.mailer, 'invitation', adminEmail, created.invitationLink, created.tenant.name);
  }
  return created;
}
