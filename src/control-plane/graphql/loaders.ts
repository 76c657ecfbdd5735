import DataLoader from 'dataloader';
import type { Sql } from '../../database/db.js';
import { createTenantsRepo, type TenantRecord } from '../../database/repos/tenants-repo.js';
import { createUsersRepo, type UserRecord, type Visibility } from '../../database/repos/users-repo.js';

// Per-request batching of the loads that nest (Tenant.users, User.tenants): however many users or
// accounts a level of a query holds, the next level is one query, not one per parent. Loaders
// live for one request and take the caller's visibility, so nothing cached crosses callers.

export interface Loaders {
  /** The users of an account, as the caller may see them. */
  usersOfTenant: DataLoader<string, UserRecord[]>;
  /** An account the caller may see, or null. */
  tenant: DataLoader<string, TenantRecord | null>;
}

export function createLoaders(db: Sql, visibility: Visibility): Loaders {
  const users = createUsersRepo(db);
  const tenants = createTenantsRepo(db);
  return {
    usersOfTenant: new DataLoader(async (ids) => {
      const found = await users.listInTenants(visibility, ids);
      return ids.map((id) => found.filter((u) => u.roles.some((r) => r.tenantId === id)));
    }),
    tenant: new DataLoader(async (ids) => {
      const visible = new Set(visibility.tenantIds);
      const found = await tenants.list(ids.filter((id) => visible.has(id)));
      const byId = new Map(found.map((t) => [t.id, t]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
