import type { ControlContext } from '../../context.js';
import type { Resolvers } from '../../graphql/executable-schema.js';
import { addUserWithRole } from './add-user-with-role.js';
import { apiAccounts } from './api-accounts.js';
import { changeRoleForUser } from './change-role-for-user.js';
import { createApiAccount } from './create-api-account.js';
import { createPasswordResetLink } from './create-password-reset-link.js';
import { createTenant } from './create-tenant.js';
import { deleteApiAccount } from './delete-api-account.js';
import { deleteTenant } from './delete-tenant.js';
import { deleteUser } from './delete-user.js';
import { ingressDomain } from './ingress-domain.js';
import { me } from './me.js';
import { removeUserFromTenant } from './remove-user-from-tenant.js';
import { sendInvitation } from './send-invitation.js';
import { setUserExpiry } from './set-user-expiry.js';
import { tenant } from './tenant.js';
import { tenantFields } from './tenant-fields.js';
import { tenantUsage } from './tenant-usage.js';
import { tenants } from './tenants.js';
import { updateTenant } from './update-tenant.js';
import { upsertIngressDomain } from './upsert-ingress-domain.js';
import { userFields } from './user-fields.js';
import { users } from './users.js';

// Resolvers of /hub/graphql/, one file per operation beside this one. Who may do what is in each
// operation's file and in README ("Control plane"); reads filter by the caller's accounts in SQL.
export const hubResolvers = {
  Query: { tenant, tenantUsage, ingressDomain, tenants, users, me, apiAccounts },
  Mutation: {
    tenantMutations: () => ({}),
    userMutations: () => ({}),
    apiAccountMutations: () => ({}),
    upsertIngressDomain,
  },
  HubTenantMutations: { createTenant, updateTenant, deleteTenant },
  UserMutations: {
    addUserWithRole,
    changeRoleForUser,
    sendInvitation,
    removeUserFromTenant,
    deleteUser,
    setUserExpiry,
    createPasswordResetLink,
  },
  ApiAccountMutations: { createApiAccount, deleteApiAccount },
  Tenant: tenantFields,
  User: userFields,
  // Each resolver types its own parent and arguments; graphql-js hands them over untyped.
} as unknown as Resolvers<ControlContext>;
