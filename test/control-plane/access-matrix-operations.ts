import { randomBytes } from 'node:crypto';
import type { Level } from '../../src/control-plane/access.js';
import { createUsersRepo, HOST_SCOPE, USER_ACTIVE, USER_PENDING } from '../../src/database/repos/users-repo.js';
import type { TestGateway } from '../harness.js';
import { newPixelId } from './capig-api.js';
import { addPixelTo, type Caller } from './people.js';

// The catalogue of every control-plane operation for the access-matrix test: for each one, a
// GraphQL document and the variables for one (principal, target account) cell, with throwaway
// accounts, pixels and users where the operation destroys or changes them. Who may run each one is
// the permission table in access-matrix.test.ts.

export type PrincipalKind = 'person' | 'api' | 'anonymous';

export interface PrincipalDef {
  key: string;
  kind: PrincipalKind;
  /** Host (agency) level; API accounts act as host admins. */
  host: Level | null;
  /** The level held on the "own" accounts (one managed, one unmanaged). */
  account: Level | null;
}

export interface Principal extends PrincipalDef {
  caller: Caller;
  userId: string | null;
  password: string | null;
}

/** A target account and what of it must never reach a caller who may not see it. */
export interface Target {
  id: string;
  managed: boolean;
  /** The account principals hold their account role here. */
  own: boolean;
  name: string;
  /** A pixel whose id is never sent in a request: it may only come back as the account's data. */
  markerPixel: string;
  markerKey: string;
  /** A pixel that operations name by id. */
  opPixel: string;
  /** The account's own admin (every account keeps one). */
  ownerEmail: string;
  /** Event name of traffic on the marker pixel (only on the four long-lived targets). */
  secretEvent: string;
  secretEventFilter: string;
  secretDomainFilter: string;
}

export function secretsOf(t: Target): string[] {
  return [t.name, t.markerPixel, t.markerKey, t.ownerEmail, t.secretEvent, t.secretEventFilter, t.secretDomainFilter];
}

export interface Cell {
  gw: TestGateway;
  who: Principal;
  target: Target;
  /** The managed account where the account principals hold their roles. */
  home: Target;
  /** A new account like the target: same kind, with the principal's account role when own. */
  throwaway(): Promise<Target>;
}

export interface Operation {
  name: string;
  schema: 'hub' | 'capig';
  document: string;
  /** Variables for one cell; `target` replaces the cell's target (a throwaway). */
  prepare(cell: Cell): Promise<{ variables: Record<string, unknown>; target?: Target }>;
  /** A value of the target that a successful answer contains when the caller may see it. */
  shows?: (t: Target) => string;
  /** What a success without `shows` in it is: the target left out (default) or its counts only. */
  withoutData?: 'hidden' | 'counts';
}

const rand = (n = 4) => randomBytes(n).toString('hex');

/** A user made directly in the database (no password: nobody signs in as them); '' is the host scope. */
export async function newUser(
  gw: TestGateway,
  roles: Array<[tenantId: string, level: Level]>,
  status: 'active' | 'pending' = 'active',
): Promise<{ userId: string; email: string }> {
  const users = createUsersRepo(gw.gateway.db);
  const email = `subject-${rand()}@example.com`;
  const userId = await users.create({ email, status: status === 'active' ? USER_ACTIVE : USER_PENDING });
  for (const [tenantId, level] of roles) await users.grant(userId, tenantId, level);
  return { userId, email };
}

/** An account with an admin of its own, two pixels and two filters, all with unique values. */
export async function makeTarget(
  gw: TestGateway,
  kind: { managed: boolean; own: boolean },
  members: Array<[userId: string, level: Level]> = [],
): Promise<Target> {
  const tag = rand();
  const id = `M${rand(4).slice(0, 7)}`;
  const name = `Secret account ${tag}`;
  await gw.gateway.accounts.createTenant({ id, name, managed: kind.managed });
  const owner = await newUser(gw, [[id, 'admin']]);
  const users = createUsersRepo(gw.gateway.db);
  for (const [userId, level] of members) await users.grant(userId, id, level);
  const marker = await addPixelTo(gw, id);
  const op = await addPixelTo(gw, id);
  const secretEventFilter = `SecretFilter${tag}`;
  const secretDomainFilter = `secret-${tag}.example`;
  await gw.gateway.accounts.setEventFilter(id, null, secretEventFilter, 'DROP');
  await gw.gateway.accounts.setDomainFilter(id, null, secretDomainFilter, 'DROP');
  return {
    id,
    ...kind,
    name,
    markerPixel: marker.pixelId,
    markerKey: marker.accessKey,
    opPixel: op.pixelId,
    ownerEmail: owner.email,
    secretEvent: `SecretEvent${tag}`,
    secretEventFilter,
    secretDomainFilter,
  };
}

const onTarget = async (c: Cell) => ({ variables: { tenantId: c.target.id } });
const onThrowaway = async (c: Cell) => {
  const target = await c.throwaway();
  return { variables: { tenantId: target.id }, target };
};
/** A user with only a view role in the target account. */
const subjectIn = async (c: Cell, status: 'active' | 'pending' = 'active') =>
  newUser(c.gw, [[c.target.id, 'view']], status);

const hub: Operation[] = [
  {
    name: 'tenant',
    schema: 'hub',
    document: 'query ($tenantId: String!) { tenant(tenantId: $tenantId) { id name users { email } } }',
    prepare: onTarget,
    shows: (t) => t.name,
  },
  {
    name: 'tenantUsage',
    schema: 'hub',
    document: `query ($tenantId: String!) { tenantUsage(tenantId: $tenantId) {
      totalPixels pixelIds tenantUsageByTraffic { totalEventsReceived } } }`,
    prepare: onTarget,
    shows: (t) => t.markerPixel,
    withoutData: 'counts',
  },
  {
    name: 'ingressDomain',
    schema: 'hub',
    document: 'query ($tenantId: ID!) { ingressDomain(tenantId: $tenantId) { id tenantName ingress } }',
    prepare: onTarget,
    shows: (t) => t.name,
  },
  {
    name: 'tenants',
    schema: 'hub',
    document: '{ tenants { id name } }',
    prepare: async () => ({ variables: {} }),
    shows: (t) => t.name,
  },
  {
    name: 'users(tenantId)',
    schema: 'hub',
    document: 'query ($tenantId: String) { users(tenantId: $tenantId) { id email roles { name } } }',
    prepare: onTarget,
    shows: (t) => t.ownerEmail,
  },
  {
    name: 'users (all)',
    schema: 'hub',
    document: '{ users { id email roles { name tenantName } } }',
    prepare: async () => ({ variables: {} }),
    shows: (t) => t.ownerEmail,
  },
  {
    name: 'me',
    schema: 'hub',
    document: '{ me { id email roles { name } } }',
    prepare: async () => ({ variables: {} }),
  },
  {
    name: 'apiAccounts',
    schema: 'hub',
    document: '{ apiAccounts { id name } }',
    prepare: async () => ({ variables: {} }),
  },
  {
    // The column's kind decides the new account's: managed, or unmanaged with its own admin.
    name: 'createTenant',
    schema: 'hub',
    document: `mutation ($input: CreateTenantInput!) { tenantMutations { createTenant(input: $input) {
      tenant { id name canPartnerManage } invitationLink } } }`,
    prepare: async (c) => ({
      variables: {
        input: {
          name: `New account ${rand()}`,
          canPartnerManage: c.target.managed,
          adminEmail: c.target.managed ? null : `owner-${rand()}@example.com`,
          eventEnrichment: false,
        },
      },
    }),
  },
  {
    name: 'updateTenant',
    schema: 'hub',
    document: `mutation ($input: UpdateTenantInput!) { tenantMutations { updateTenant(input: $input) {
      tenant { id name } } } }`,
    prepare: async (c) => {
      const target = await c.throwaway();
      return { variables: { input: { tenantId: target.id, name: `Renamed ${rand()}` } }, target };
    },
  },
  {
    name: 'deleteTenant',
    schema: 'hub',
    document: 'mutation ($tenantId: String!) { tenantMutations { deleteTenant(tenantId: $tenantId) } }',
    prepare: onThrowaway,
  },
  {
    name: 'addUserWithRole',
    schema: 'hub',
    document: `mutation ($input: AddUserWithRoleInput!) { userMutations { addUserWithRole(input: $input) {
      userAlreadyExist user { id email } } } }`,
    prepare: async (c) => ({
      variables: { input: { email: `added-${rand()}@example.com`, roleName: `advertiser-view-${c.target.id}` } },
    }),
  },
  {
    // The same operation with a host (agency) role: the host's admins only, whatever the account.
    name: 'addUserWithRole (agency role)',
    schema: 'hub',
    document: `mutation ($input: AddUserWithRoleInput!) { userMutations { addUserWithRole(input: $input) {
      userAlreadyExist user { id email } } } }`,
    prepare: async () => ({ variables: { input: { email: `agency-${rand()}@example.com`, roleName: 'agency-view' } } }),
  },
  {
    name: 'sendInvitation (agency role)',
    schema: 'hub',
    document: 'mutation ($input: SendInvitationInput!) { userMutations { sendInvitation(input: $input) } }',
    prepare: async (c) => {
      const { email } = await newUser(c.gw, [[HOST_SCOPE, 'view']], 'pending');
      return { variables: { input: { email, userType: 'AGENCY' } } };
    },
  },
  {
    name: 'changeRoleForUser',
    schema: 'hub',
    document: `mutation ($input: ChangeRoleForUserInput!) { userMutations { changeRoleForUser(input: $input) {
      user { id } } } }`,
    prepare: async (c) => {
      const { userId } = await subjectIn(c);
      return { variables: { input: { userId, roleToAdd: `advertiser-manage-${c.target.id}` } } };
    },
  },
  {
    name: 'sendInvitation',
    schema: 'hub',
    document: 'mutation ($input: SendInvitationInput!) { userMutations { sendInvitation(input: $input) } }',
    prepare: async (c) => {
      const { email } = await subjectIn(c, 'pending');
      return { variables: { input: { email, tenantId: c.target.id, userType: 'ADVERTISER' } } };
    },
  },
  {
    name: 'removeUserFromTenant',
    schema: 'hub',
    document: `mutation ($userId: String!, $tenantId: String!) {
      userMutations { removeUserFromTenant(userId: $userId, tenantId: $tenantId) } }`,
    prepare: async (c) => ({ variables: { userId: (await subjectIn(c)).userId, tenantId: c.target.id } }),
  },
  {
    name: 'deleteUser',
    schema: 'hub',
    document: 'mutation ($userId: String!) { userMutations { deleteUser(userId: $userId) } }',
    prepare: async (c) => ({ variables: { userId: (await subjectIn(c)).userId } }),
  },
  {
    // A user of the target account and of the home account: visible through either, and only
    // someone who administers both may delete them.
    name: 'deleteUser (also in own M)',
    schema: 'hub',
    document: 'mutation ($userId: String!) { userMutations { deleteUser(userId: $userId) } }',
    prepare: async (c) => {
      const roles: Array<[string, Level]> = [[c.target.id, 'view']];
      if (c.home.id !== c.target.id) roles.push([c.home.id, 'view']);
      return { variables: { userId: (await newUser(c.gw, roles)).userId } };
    },
  },
  {
    // A host user (agency-view): only the host's admins administer their one scope.
    name: 'deleteUser (host user)',
    schema: 'hub',
    document: 'mutation ($userId: String!) { userMutations { deleteUser(userId: $userId) } }',
    prepare: async (c) => ({ variables: { userId: (await newUser(c.gw, [[HOST_SCOPE, 'view']])).userId } }),
  },
  {
    name: 'setUserExpiry',
    schema: 'hub',
    document: `mutation ($userId: String!, $userExpiry: String) {
      userMutations { setUserExpiry(userId: $userId, userExpiry: $userExpiry) { id userExpiry } } }`,
    prepare: async (c) => ({ variables: { userId: (await subjectIn(c)).userId, userExpiry: '2999-12-31' } }),
  },
  {
    name: 'createPasswordResetLink',
    schema: 'hub',
    document: 'mutation ($userId: String!) { userMutations { createPasswordResetLink(userId: $userId) } }',
    prepare: async (c) => ({ variables: { userId: (await subjectIn(c)).userId } }),
  },
  {
    name: 'upsertIngressDomain',
    schema: 'hub',
    document: `mutation ($tenantId: ID!, $input: IngressDomainInput!) {
      upsertIngressDomain(tenantId: $tenantId, input: $input) { id tenantName ingress } }`,
    prepare: async (c) => ({
      variables: {
        tenantId: c.target.id,
        input: { ingress: `c${rand()}.shop.example`, targetDomain: 'gateway.capig.example' },
      },
    }),
  },
  {
    name: 'createApiAccount',
    schema: 'hub',
    document: `mutation ($name: String!, $password: String) {
      apiAccountMutations { createApiAccount(name: $name, password: $password) { clientId apiAccount { id } } } }`,
    prepare: async (c) => ({
      variables: { name: `m${rand()}`, password: c.who.password ?? 'an-api-account-has-no-password' },
    }),
  },
  {
    name: 'deleteApiAccount',
    schema: 'hub',
    document: 'mutation ($id: String!) { apiAccountMutations { deleteApiAccount(id: $id) } }',
    prepare: async (c) => {
      const { account } = await c.gw.gateway.apiAccounts.create(`d${rand()}`, null);
      return { variables: { id: account.id } };
    },
  },
];

const tenantQuery = (field: string, args = '') =>
  `query ($tenantId: ID!${args}) { tenantQueries(tenantId: $tenantId) { ${field} } }`;
const signalMutation = (field: string, args = '') =>
  `mutation ($tenantId: ID!${args}) { tenantMutations(tenantId: $tenantId) { signalMutations { ${field} } } }`;
const tenantMutation = (field: string) =>
  `mutation ($tenantId: ID!) { tenantMutations(tenantId: $tenantId) { ${field} } }`;
const onOpPixel = async (c: Cell) => ({ variables: { tenantId: c.target.id, id: c.target.opPixel } });

const capig: Operation[] = [
  {
    name: 'account',
    schema: 'capig',
    document: tenantQuery('account { name signalConfigs { connectionStatus { pixelID accessKey } } }'),
    prepare: onTarget,
    shows: (t) => t.name,
  },
  {
    name: 'eventMetrics',
    schema: 'capig',
    document: tenantQuery('eventMetrics { incoming { eventsCount } activity { name } domainActivity { domainName } }'),
    prepare: onTarget,
    shows: (t) => t.secretEvent,
  },
  {
    name: 'eventFilters',
    schema: 'capig',
    document: tenantQuery('eventFilters { eventName filterState }'),
    prepare: onTarget,
    shows: (t) => t.secretEventFilter,
  },
  {
    name: 'domainFilters',
    schema: 'capig',
    document: tenantQuery('domainFilters { domain filterState }'),
    prepare: onTarget,
    shows: (t) => t.secretDomainFilter,
  },
  {
    name: 'setupPixelSignalConfig',
    schema: 'capig',
    document: signalMutation('setupPixelSignalConfig(input: $input) { id }', ', $input: PixelConnectionCreationInput!'),
    prepare: async (c) => ({
      variables: {
        tenantId: c.target.id,
        input: { pixelId: newPixelId(), businessId: newPixelId(), accessToken: `EAA${rand(8)}`, externalId: '' },
      },
    }),
  },
  {
    name: 'deleteDataSource',
    schema: 'capig',
    document: signalMutation('deleteDataSource(id: $id)', ', $id: ID!'),
    prepare: async (c) => ({ variables: { tenantId: c.target.id, id: (await addPixelTo(c.gw, c.target.id)).pixelId } }),
  },
  {
    name: 'updateSignalConfigEventsStatus',
    schema: 'capig',
    document: signalMutation('updateSignalConfigEventsStatus(id: $id, input: {status: 1}) { success }', ', $id: ID!'),
    prepare: onOpPixel,
  },
  {
    name: 'updateSignalConfigCapiPublish',
    schema: 'capig',
    document: signalMutation('updateSignalConfigCapiPublish(id: $id, input: {status: 1}) { success }', ', $id: ID!'),
    prepare: onOpPixel,
  },
  {
    name: 'updateSignalConfigAccessToken',
    schema: 'capig',
    document: signalMutation(
      'updateSignalConfigAccessToken(id: $id, accessToken: $token) { id }',
      ', $id: ID!, $token: String!',
    ),
    prepare: async (c) => ({ variables: { tenantId: c.target.id, id: c.target.opPixel, token: `EAA${rand(8)}` } }),
  },
  {
    name: 'updateEventFilter',
    schema: 'capig',
    document: tenantMutation(
      'updateEventFilter(input: {eventName: "Lead", filterState: PUBLISH}) { updatedFilter { id } }',
    ),
    prepare: onTarget,
  },
  {
    name: 'updateDomainFilter',
    schema: 'capig',
    document: tenantMutation(
      'updateDomainFilter(input: {domain: "op.example", filterState: PUBLISH}) { updatedFilter { id } }',
    ),
    prepare: onTarget,
  },
];

/** Every operation of /hub/graphql/ and /capig/graphql/ (two of them twice, with other subjects). */
export const OPERATIONS: readonly Operation[] = [...hub, ...capig];
