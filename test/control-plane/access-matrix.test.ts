import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Level } from '../../src/control-plane/access.js';
import { activityInWindow } from '../../src/database/repos/tenant-metrics-repo.js';
import { serverEvent, startTestGateway, type TestGateway, waitFor } from '../harness.js';
import {
  type Cell,
  makeTarget,
  OPERATIONS,
  type Operation,
  type Principal,
  type PrincipalDef,
  secretsOf,
  type Target,
} from './access-matrix-operations.js';
import { anonymous, apiToken, type GqlResult, signInAs } from './people.js';

// The access matrix (issue 3): every operation of /hub/graphql/ and /capig/graphql/, run by every
// kind of caller against four accounts, must end exactly as README's permission table says; and
// whenever a caller may not see an account, or is refused, nothing of that account is answered.
//
// Columns: "own" accounts are those where the account principals hold their role (one managed, one
// unmanaged); "foreign" accounts are ones where nobody in the matrix holds an account role. Host
// roles (and API accounts) reach every managed account and no unmanaged one.

// ---------------------------------------------------------------------------------------------
// The permission table (README "Control plane"), written out for the test.

/** What an operation needs. */
type Need =
  /** At least this level on the target account. */
  | { kind: 'level'; level: Level }
  /** tenantUsage: view level; host admins also on accounts they cannot see, with counts only. */
  | { kind: 'usage' }
  /** A list: every caller gets an answer, with the target in it only when they can see it. */
  | { kind: 'list' }
  /** Any signed-in caller. */
  | { kind: 'signed-in' }
  /** Host admins, API accounts included. */
  | { kind: 'host-admin' }
  /** Host admins who are people. */
  | { kind: 'host-admin-person' }
  /**
   * Acts on a user with a role in the target account (and in own M too when alsoHome): the user is
   * 404 unless the caller sees one of those accounts, and the caller must administer all of them.
   */
  | { kind: 'user'; alsoHome: boolean }
  /** Acts on a host (agency) user: visible to host roles, the host's admins administer them. */
  | { kind: 'host-user' };

const VIEW: Need = { kind: 'level', level: 'view' };
const MANAGE: Need = { kind: 'level', level: 'manage' };
const ADMIN: Need = { kind: 'level', level: 'admin' };
const HOST_ADMIN: Need = { kind: 'host-admin' };
const USER: Need = { kind: 'user', alsoHome: false };

const PERMISSIONS: Record<string, Need> = {
  // hub: reads
  tenant: VIEW,
  tenantUsage: { kind: 'usage' },
  ingressDomain: VIEW,
  tenants: { kind: 'list' },
  'users(tenantId)': VIEW,
  'users (all)': { kind: 'list' },
  me: { kind: 'signed-in' },
  apiAccounts: HOST_ADMIN,
  // hub: accounts
  createTenant: HOST_ADMIN,
  updateTenant: ADMIN,
  deleteTenant: ADMIN,
  // hub: users and roles (admins of the role's scope; user-wide: admins of all the user's scopes)
  addUserWithRole: ADMIN,
  'addUserWithRole (agency role)': HOST_ADMIN,
  changeRoleForUser: ADMIN,
  sendInvitation: ADMIN,
  'sendInvitation (agency role)': HOST_ADMIN,
  removeUserFromTenant: ADMIN,
  deleteUser: USER,
  'deleteUser (also in own M)': { kind: 'user', alsoHome: true },
  'deleteUser (host user)': { kind: 'host-user' },
  setUserExpiry: USER,
  createPasswordResetLink: USER,
  // hub: data routing, API accounts
  upsertIngressDomain: MANAGE,
  createApiAccount: { kind: 'host-admin-person' },
  deleteApiAccount: { kind: 'host-admin-person' },
  // capig
  account: VIEW,
  eventMetrics: VIEW,
  eventFilters: VIEW,
  domainFilters: VIEW,
  setupPixelSignalConfig: MANAGE,
  deleteDataSource: MANAGE,
  updateSignalConfigEventsStatus: MANAGE,
  updateSignalConfigCapiPublish: MANAGE,
  updateSignalConfigAccessToken: MANAGE,
  updateEventFilter: MANAGE,
  updateDomainFilter: MANAGE,
};

const PRINCIPALS: PrincipalDef[] = [
  { key: 'host admin', kind: 'person', host: 'admin', account: null },
  { key: 'host manage', kind: 'person', host: 'manage', account: null },
  { key: 'host view', kind: 'person', host: 'view', account: null },
  { key: 'acct admin', kind: 'person', host: null, account: 'admin' },
  { key: 'acct manage', kind: 'person', host: null, account: 'manage' },
  { key: 'acct view', kind: 'person', host: null, account: 'view' },
  // An API account acts as a host admin.
  { key: 'API account', kind: 'api', host: 'admin', account: null },
  { key: 'anonymous', kind: 'anonymous', host: null, account: null },
];

interface Column {
  key: string;
  managed: boolean;
  own: boolean;
}
const COLUMNS: Column[] = [
  { key: 'own M', managed: true, own: true },
  { key: 'own U', managed: false, own: true },
  { key: 'foreign M', managed: true, own: false },
  { key: 'foreign U', managed: false, own: false },
];
const HOME = COLUMNS[0] as Column;

/**
 * ok: answered (reads: with the account's data); hidden: answered, without the account (lists);
 * counts: tenantUsage totals without pixel ids; 401/404: errors[].extensions.code; HTTP 401: not signed in.
 */
type Outcome = 'ok' | 'hidden' | 'counts' | '401' | '404' | 'HTTP 401' | (string & {});

const RANK: Record<Level, number> = { view: 1, manage: 2, admin: 3 };
const atLeast = (l: Level | null, wanted: Level) => l !== null && RANK[l] >= RANK[wanted];

/** A principal's level on an account of this column: its account role there, else its host role if managed. */
function reach(p: PrincipalDef, col: Column): Level | null {
  if (col.own && p.account) return p.account;
  return col.managed ? p.host : null;
}

function expected(need: Need, p: PrincipalDef, col: Column): Outcome {
  if (p.kind === 'anonymous') return 'HTTP 401';
  const level = reach(p, col);
  switch (need.kind) {
    case 'level':
      return level === null ? '404' : atLeast(level, need.level) ? 'ok' : '401';
    case 'usage':
      return level !== null ? 'ok' : p.host === 'admin' ? 'counts' : '404';
    case 'list':
      return level === null ? 'hidden' : 'ok';
    case 'signed-in':
      return 'ok';
    case 'host-admin':
      return p.host === 'admin' ? 'ok' : '401';
    case 'host-admin-person':
      return p.kind === 'person' && p.host === 'admin' ? 'ok' : '401';
    case 'user': {
      const levels = need.alsoHome ? [level, reach(p, HOME)] : [level];
      if (levels.every((l) => l === null)) return '404';
      return levels.every((l) => atLeast(l, 'admin')) ? 'ok' : '401';
    }
    case 'host-user':
      return p.host === null ? '404' : p.host === 'admin' ? 'ok' : '401';
  }
}

// ---------------------------------------------------------------------------------------------
// Running one cell.

function classify(res: GqlResult, op: Operation, target: Target): Outcome {
  const codes = [...new Set((res.body.errors ?? []).map((e) => String(e.extensions?.code)))].join('+');
  if (res.status === 401) return res.body.data === undefined && codes === '401' ? 'HTTP 401' : `HTTP 401 ${codes}`;
  if (res.status !== 200) return `HTTP ${res.status} ${codes}`;
  if (codes !== '') return codes;
  if (!op.shows || JSON.stringify(res.body.data).includes(op.shows(target))) return 'ok';
  return op.withoutData ?? 'hidden';
}

const SYMBOL: Record<string, string> = { ok: '+', hidden: '-', counts: 'c', '401': 'x', '404': 'n', 'HTTP 401': 'H' };

describe('control plane: the access matrix', () => {
  let gw: TestGateway;
  const targets = new Map<string, Target>();
  const principals = new Map<string, Principal>();
  const printed: Array<[string, string[]]> = [];

  before(async () => {
    gw = await startTestGateway({
      // Data routing's CNAME check: every name fails at once, like NXDOMAIN.
      lookupCname: async (host) => {
        throw Object.assign(new Error(`queryCname ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      },
    });
    for (const col of COLUMNS) targets.set(col.key, await makeTarget(gw, col));
    const own = COLUMNS.filter((c) => c.own).map((c) => (targets.get(c.key) as Target).id);
    await Promise.all(
      PRINCIPALS.map(async (def) => {
        let p: Principal;
        if (def.kind === 'anonymous') p = { ...def, caller: anonymous(gw), userId: null, password: null };
        else if (def.kind === 'api') p = { ...def, caller: await apiToken(gw), userId: null, password: null };
        else {
          const roles = [
            ...(def.host ? [`agency-${def.host}`] : []),
            ...(def.account ? own.map((id) => `advertiser-${def.account}-${id}`) : []),
          ];
          const person = await signInAs(gw, { roles });
          p = { ...def, caller: person, userId: person.userId, password: person.password };
        }
        principals.set(def.key, p);
      }),
    );
    // Traffic on each marker pixel, so eventMetrics has something of the account's own to show.
    for (const t of targets.values()) {
      const body = { data: [serverEvent({ event_name: t.secretEvent })] };
      assert.equal((await gw.postServer(t.markerPixel, body, t.markerKey)).status, 200);
    }
    await waitFor(async () => {
      for (const t of targets.values()) {
        const rows = await activityInWindow(gw.gateway.db, { tenantId: t.id, visibleTenantIds: [t.id] }, 60, null);
        if (!rows.some((r) => r.eventName === t.secretEvent && r.outcome === 'received')) return false;
      }
      return true;
    }, 'the traffic counted');
  });

  after(async () => {
    const width = 38;
    const lines = [
      '',
      'Access matrix: per principal, the outcome on own M | own U | foreign M | foreign U',
      '  (own = where the account principals hold their role; M managed, U unmanaged)',
      '  + ok (reads: with the account data)   - ok without the account   c usage counts only, no pixel ids',
      '  x 401 not allowed   n 404 not visible   H HTTP 401 not signed in   [a/b] got a, expected b',
      `${'operation'.padEnd(width)}${PRINCIPALS.map((p) => p.key.padEnd(12)).join('')}`,
      ...printed.map(([name, cells]) => `${name.padEnd(width)}${cells.map((c) => c.padEnd(12)).join('')}`),
    ];
    console.log(lines.join('\n'));
    await gw?.stop();
  });

  test('the catalogue and the permission table name the same operations', () => {
    assert.deepEqual(OPERATIONS.map((op) => op.name).sort(), Object.keys(PERMISSIONS).sort());
  });

  for (const op of OPERATIONS) {
    test(`${op.schema} ${op.name}`, async () => {
      const need = PERMISSIONS[op.name];
      assert.ok(need, `no permission for ${op.name}`);
      const want: Record<string, Record<string, Outcome>> = {};
      const got: Record<string, Record<string, Outcome>> = {};
      const leaks: string[] = [];
      const cells: string[] = [];
      for (const def of PRINCIPALS) {
        const who = principals.get(def.key) as Principal;
        want[def.key] = {};
        got[def.key] = {};
        let row = '';
        for (const col of COLUMNS) {
          const cell: Cell = {
            gw,
            who,
            target: targets.get(col.key) as Target,
            home: targets.get(HOME.key) as Target,
            throwaway: () =>
              makeTarget(gw, col, col.own && who.account && who.userId ? [[who.userId, who.account]] : []),
          };
          const { variables, target = cell.target } = await op.prepare(cell);
          const res = await who.caller.gql(op.document, variables, { path: op.schema });
          const outcome = classify(res, op, target);
          const wanted = expected(need, def, col);
          (got[def.key] as Record<string, Outcome>)[col.key] = outcome;
          (want[def.key] as Record<string, Outcome>)[col.key] = wanted;
          // Refused, or not allowed to see the account: nothing of it may be in the answer.
          if (!['ok', 'hidden'].includes(outcome) || reach(def, col) === null) {
            const text = JSON.stringify(res.body);
            const found = secretsOf(target).filter((s) => text.includes(s));
            if (found.length > 0) leaks.push(`${def.key} on ${col.key} (${outcome}): ${found.join(', ')}`);
          }
          // View level sees the pixels, never their server-events key.
          if (reach(def, col) === 'view' && JSON.stringify(res.body).includes(target.markerKey)) {
            leaks.push(`${def.key} on ${col.key} (${outcome}): the server-events key at view level`);
          }
          row += outcome === wanted ? (SYMBOL[outcome] ?? '?') : `[${outcome}/${wanted}]`;
        }
        cells.push(row);
      }
      printed.push([`${op.schema} ${op.name}`, cells]);
      assert.deepEqual(got, want, `${op.name}: outcomes differ from the permission table`);
      assert.deepEqual(leaks, [], `${op.name}: the answer contains data of an account the caller may not see`);
    });
  }
});
