import type { Sql } from '../database/db.js';
import { ControlError } from './errors.js';

// Who is calling, and what each account lets them do. Host (agency) roles reach managed accounts
// only; an account role reaches its own account whether managed or not. API accounts act as host
// admins on managed accounts.

export type Level = 'view' | 'manage' | 'admin';
const RANK: Record<Level, number> = { view: 1, manage: 2, admin: 3 };

export type Principal =
  | {
      kind: 'user';
      userId: string;
      email: string;
      hostLevel: Level | null;
      tenantLevels: ReadonlyMap<string, Level>;
      /** Present for cookie sessions: mutations must echo it in x-csrf-token. */
      csrfToken: string | null;
    }
  | { kind: 'api'; apiAccountId: string; name: string };

export type ParsedRole = { scope: 'host'; level: Level } | { scope: 'tenant'; tenantId: string; level: Level };

/** agency-<action> | advertiser-<action>-<tenantId>; action admin, manage (alias user) or view. */
export function parseRole(name: string): ParsedRole | null {
  const m = /^(agency|advertiser)-(admin|manage|user|view)(?:-([A-Za-z0-9_-]{1,64}))?$/.exec(name.trim());
  if (!m) return null;
  const level = (m[2] === 'user' ? 'manage' : m[2]) as Level;
  if (m[1] === 'agency') return m[3] ? null : { scope: 'host', level };
  return m[3] ? { scope: 'tenant', tenantId: m[3], level } : null;
}

export function roleName(role: ParsedRole): string {
  return role.scope === 'host' ? `agency-${role.level}` : `advertiser-${role.level}-${role.tenantId}`;
}

export function atLeast(level: Level | null, wanted: Level): boolean {
  return level !== null && RANK[level] >= RANK[wanted];
}

/** The accounts a principal can reach, loaded once per request and used in every scoped query. */
export interface TenantAccess {
  readonly principal: Principal;
  /** The host-wide level (agency role, or admin for API accounts); null for account-only users. */
  readonly hostLevel: Level | null;
  levelOf(tenantId: string): Level | null;
  /** Ids of every account the principal may see, for `tenant_id = ANY($n)` filters. */
  readonly visibleTenantIds: string[];
  /** Throws 401 (not allowed) or 404 (not visible) unless the principal has at least `wanted`. */
  require(tenantId: string, wanted: Level): void;
  requireHost(wanted: Level): void;
}

export async function loadAccess(sql: Sql, principal: Principal): Promise<TenantAccess> {
  const hostLevel = principal.kind === 'api' ? 'admin' : principal.hostLevel;
  const own = principal.kind === 'user' ? principal.tenantLevels : new Map<string, Level>();
  const managed = hostLevel
    ? (await sql.query<{ id: string }>('SELECT id FROM tenants WHERE managed')).map((r) => r.id)
    : [];
  const levels = new Map<string, Level>();
  for (const id of managed) levels.set(id, hostLevel as Level);
  // An account role counts even on an unmanaged account; on a managed one the higher level wins,
  // so giving a host admin a view role on one account never locks them out of it.
  for (const [id, level] of own) {
    const host = levels.get(id);
    levels.set(id, host && RANK[host] > RANK[level] ? host : level);
  }
  const access: TenantAccess = {
    principal,
    hostLevel,
    levelOf: (id) => levels.get(id) ?? null,
    visibleTenantIds: [...levels.keys()],
    require(tenantId, wanted) {
      const level = levels.get(tenantId) ?? null;
      if (level === null) throw new ControlError(404, `account ${tenantId} not found`);
      if (!atLeast(level, wanted)) {
        throw new ControlError(
          401,
          `not authorized: this needs the ${wanted} role on account ${tenantId} (you have ${level})`,
        );
      }
    },
    requireHost(wanted) {
      if (!atLeast(hostLevel, wanted)) {
        throw new ControlError(401, `not authorized: this needs the host (agency) ${wanted} role`);
      }
    },
  };
  return access;
}
