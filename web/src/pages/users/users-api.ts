import { gql } from '../../api';
import type { Level } from '../../session';

// The users screens' data: the User fields they read, and role names for one scope (the host, or
// one account), as the gateway spells them.

export interface UserRole {
  name: string;
  displayName: string;
  tenantName: string | null;
}

export interface UserRow {
  id: string;
  email: string;
  /** 0 Deactivated, 1 Active, 2 Pending */
  status: number;
  /** yyyy-mm-dd, the last day of access; null for permanent users. */
  userExpiry: string | null;
  isSelf: boolean;
  canBeDeleted: boolean;
  passwordResetRequestedAt: number | null;
  roles: UserRole[];
}

export const USER_FIELDS =
  'id email status userExpiry isSelf canBeDeleted passwordResetRequestedAt roles { name displayName tenantName }';

export const USER_ACTIVE = 1;
export const USER_PENDING = 2;

/** Where the users screen works: the host (tenantId null) or one account. */
export interface UsersScope {
  tenantId: string | null;
  /** "this gateway" or the account's name, for sentences. */
  label: string;
  canAdmin: boolean;
}

export const LEVELS: Level[] = ['admin', 'manage', 'view'];

export const LEVEL_LABEL: Record<Level, string> = { admin: 'Admin', manage: 'Manage', view: 'View' };

export function levelHelp(scope: UsersScope, level: Level): string {
  if (scope.tenantId === null) {
    return {
      admin: 'Everything: accounts, users and API accounts.',
      manage: 'Changes the settings of managed accounts.',
      view: 'Sees managed accounts, changes nothing.',
    }[level];
  }
  return {
    admin: 'Settings and users of this account.',
    manage: 'Settings: pixels, websites, data routing.',
    view: 'Sees the account, changes nothing.',
  }[level];
}

export function roleName(scope: UsersScope, level: Level): string {
  return scope.tenantId === null ? `agency-${level}` : `advertiser-${level}-${scope.tenantId}`;
}

/** The user's role in the scope, or null when they have none there. */
export function levelIn(scope: UsersScope, user: UserRow): Level | null {
  for (const role of user.roles) {
    const m = /^(agency|advertiser)-(admin|manage|view)(?:-(.+))?$/.exec(role.name);
    if (!m) continue;
    if (scope.tenantId === null ? m[1] === 'agency' : m[1] === 'advertiser' && m[3] === scope.tenantId) {
      return m[2] as Level;
    }
  }
  return null;
}

/** Names of the accounts a user is in (host view, "Everyone"). */
export function accountNames(user: UserRow): string[] {
  return user.roles.filter((r) => r.name.startsWith('advertiser-')).map((r) => r.tenantName ?? r.name);
}

export const todayUtc = () => new Date().toISOString().slice(0, 10);

export function expiryText(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
}

export async function loadUsers(tenantId: string | null): Promise<UserRow[]> {
  const data = await gql<{ users: UserRow[] }>(
    'hub',
    `query Users($t: String) { users(tenantId: $t) { ${USER_FIELDS} } }`,
    {
      t: tenantId,
    },
  );
  return data.users;
}

/** One userMutations field, aliased `r` so callers read the answer without knowing its name. */
export async function userMutation<T>(decl: string, call: string, vars: Record<string, unknown>): Promise<T> {
  const data = await gql<{ userMutations: { r: T } }>(
    'hub',
    `mutation(${decl}) { userMutations { r: ${call} } }`,
    vars,
  );
  return data.userMutations.r;
}
