import type { Sql } from '../../../database/db.js';
import { createTenantsRepo } from '../../../database/repos/tenants-repo.js';
import {
  createUsersRepo,
  HOST_SCOPE,
  type RoleGrant,
  type UserRecord,
  type Visibility,
} from '../../../database/repos/users-repo.js';
import {
  atLeast,
  type Level,
  loadAccess,
  type ParsedRole,
  type Principal,
  parseRole,
  roleName,
  type TenantAccess,
} from '../../access.js';
import type { ControlContext } from '../../context.js';
import { badInput, forbidden, notFound } from '../../errors.js';

// What the hub's user and account operations share: what the caller may see, role names from
// input, who may act on a user, and the rule that every account keeps an admin.

export function visibilityOf(ctx: ControlContext): Visibility {
  return visibilityFor(ctx.principal, ctx.access);
}

export function visibilityFor(principal: Principal, access: TenantAccess): Visibility {
  return {
    tenantIds: access.visibleTenantIds,
    host: access.hostLevel !== null,
    roleless: access.hostLevel === 'admin',
    selfId: principal.kind === 'user' ? principal.userId : null,
  };
}

/** A role named in input: 404 when the name is not a role, or names an account the caller cannot see. */
export async function roleFromInput(ctx: ControlContext, name: string): Promise<ParsedRole> {
  const role = parseRole(name);
  if (!role) {
    throw notFound(
      `role "${name}" not found: use agency-<admin|manage|view> or advertiser-<admin|manage|view>-<accountId>`,
    );
  }
  if (role.scope === 'tenant') {
    const tenant = await createTenantsRepo(ctx.deps.db).get(ctx.access.visibleTenantIds, role.tenantId);
    if (!tenant) throw notFound(`role "${name}" not found: there is no account ${role.tenantId}`);
  }
  return role;
}

export const scopeOf = (role: ParsedRole): string => (role.scope === 'host' ? HOST_SCOPE : role.tenantId);

/** Admin of one scope ('' = host): 401 without the level, 404 for an account the caller cannot see. */
export function requireScopeAdmin(ctx: ControlContext, scope: string): void {
  if (scope === HOST_SCOPE) ctx.access.requireHost('admin');
  else ctx.access.require(scope, 'admin');
}

function administers(ctx: ControlContext, scope: string): boolean {
  return atLeast(scope === HOST_SCOPE ? ctx.access.hostLevel : ctx.access.levelOf(scope), 'admin');
}

/**
 * Deleting a user, resetting their password or re-inviting them acts on every account they are in,
 * so the caller must administer all of those (host admins alone act on users without a role).
 */
export function mayActOnUser(ctx: ControlContext, scopes: { tenantId: string }[]): boolean {
  if (scopes.length === 0) return ctx.access.hostLevel === 'admin';
  return scopes.every((s) => administers(ctx, s.tenantId));
}

export function requireActOnUser(ctx: ControlContext, scopes: { tenantId: string }[]): void {
  if (!mayActOnUser(ctx, scopes)) {
    throw forbidden('not authorized: this user also belongs to accounts (or the host) that you do not administer');
  }
}

/** The user if the caller may see them; 404 otherwise (same answer as for an unknown id). */
export async function visibleUser(ctx: ControlContext, userId: string, db: Sql = ctx.deps.db): Promise<UserRecord> {
  const user = await createUsersRepo(db).get(visibilityOf(ctx), userId);
  if (!user) throw notFound(`user ${userId} not found`);
  return user;
}

/**
 * Refuses (400) a change that would take the last admin of a scope away. Call it inside the
 * transaction that makes the change: the admins' rows stay locked until it ends.
 */
export async function keepAnAdmin(tx: Sql, scope: string, userId: string): Promise<void> {
  const admins = await createUsersRepo(tx).lockAdmins(scope);
  if (admins.length === 1 && admins[0] === userId) {
    throw badInput(
      scope === HOST_SCOPE
        ? 'the host must keep at least one agency-admin: make another user agency-admin first'
        : `account ${scope} must keep at least one admin: make another user advertiser-admin-${scope} first`,
    );
  }
}

export interface RoleView {
  name: string;
  displayName: Level;
  tenantName: string | null;
}

export function roleView(grant: RoleGrant): RoleView {
  const role: ParsedRole =
    grant.tenantId === HOST_SCOPE
      ? { scope: 'host', level: grant.level }
      : { scope: 'tenant', tenantId: grant.tenantId, level: grant.level };
  return { name: roleName(role), displayName: grant.level, tenantName: grant.tenantName };
}

/** After a change of the caller's own reach (a new account, a new role), later fields see it. */
export async function refreshAccess(ctx: ControlContext): Promise<void> {
  if (ctx.principal.kind === 'user') {
    let hostLevel: Level | null = null;
    const tenantLevels = new Map<string, Level>();
    for (const s of await createUsersRepo(ctx.deps.db).scopesOf(ctx.principal.userId)) {
      if (s.tenantId === HOST_SCOPE) hostLevel = s.level;
      else tenantLevels.set(s.tenantId, s.level);
    }
    ctx.principal = { ...ctx.principal, hostLevel, tenantLevels };
  }
  ctx.access = await loadAccess(ctx.deps.db, ctx.principal);
}

/** yyyy-mm-dd of a real day, not before today (UTC); null clears. */
export function expiryProblem(value: string | null | undefined): string | null {
  if (value == null) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = m ? new Date(`${value}T00:00:00Z`) : null;
  if (!m || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    return `userExpiry must be a date as yyyy-mm-dd (got "${value}")`;
  }
  if (value < new Date().toISOString().slice(0, 10)) return `userExpiry ${value} is in the past`;
  return null;
}
