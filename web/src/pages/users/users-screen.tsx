import { useState } from 'react';
import type { MenuItem } from '../../ui/controls';
import { ConfirmDialog } from '../../ui/dialog';
import { EmptyState, ErrorNote, Loading, Notice, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { TableCard } from '../host/table-card';
import '../host/host.css';
import { LinkDialog } from './link-dialog';
import { useNarrow } from './use-narrow';
import { ChangeRoleDialog, ExpiryDialog, InviteDialog, type InviteResult } from './user-dialogs';
import {
  levelIn,
  loadUsers,
  USER_ACTIVE,
  USER_PENDING,
  type UserRow,
  type UsersScope,
  userMutation,
} from './users-api';
import { InvitedText, UserLine } from './users-rows';

// The users of the host or of one account: who has which role, invitations, reset links,
// temporary access. Host and account screens differ only in their scope.

type LinkRequest = { user: UserRow; kind: 'invite' | 'reset' };

export function UsersScreen({ scope, intro }: { scope: UsersScope; intro: string }) {
  const host = scope.tenantId === null;
  const users = useQuery(() => loadUsers(scope.tenantId), [scope.tenantId]);
  const narrow = useNarrow();
  const [everyone, setEveryone] = useState(false);
  const [inviting, setInviting] = useState(false);
  const [invited, setInvited] = useState<InviteResult | null>(null);
  const [roleFor, setRoleFor] = useState<UserRow | null>(null);
  const [expiryFor, setExpiryFor] = useState<UserRow | null>(null);
  const [linkFor, setLinkFor] = useState<LinkRequest | null>(null);
  const [removing, setRemoving] = useState<UserRow | null>(null);

  const all = users.data ?? [];
  const rows = host && everyone ? all : all.filter((u) => levelIn(scope, u) !== null);
  const admins = all.filter((u) => levelIn(scope, u) === 'admin').length;
  const resetRequests = rows.filter((u) => u.passwordResetRequestedAt && u.status === USER_ACTIVE);
  const done = () => users.reload();

  const menuFor = (u: UserRow): MenuItem[] => {
    if (!scope.canAdmin) return [];
    const level = levelIn(scope, u);
    const items: MenuItem[] = [];
    if (u.status === USER_PENDING && level) {
      items.push({ label: 'Regenerate invite link', onSelect: () => setLinkFor({ user: u, kind: 'invite' }) });
    }
    if (u.status === USER_ACTIVE && !u.isSelf) {
      items.push({ label: 'Create password reset link', onSelect: () => setLinkFor({ user: u, kind: 'reset' }) });
    }
    if (u.isSelf) return items;
    items.push({ label: level ? 'Change role' : 'Give host role', onSelect: () => setRoleFor(u) });
    items.push({
      label: u.userExpiry ? 'Change temporary access' : 'Set temporary access',
      onSelect: () => setExpiryFor(u),
    });
    if (host ? u.canBeDeleted : level && !(level === 'admin' && admins <= 1)) {
      items.push({ label: host ? 'Delete user' : 'Remove from account', danger: true, onSelect: () => setRemoving(u) });
    }
    return items;
  };

  const invite = scope.canAdmin ? (
    <button type="button" className="btn primary" onClick={() => setInviting(true)}>
      Invite user
    </button>
  ) : null;

  return (
    <Page title="Users" intro={intro} actions={invite}>
      {!scope.canAdmin ? <Notice>Only admins of {scope.label} can invite people and change roles.</Notice> : null}
      {resetRequests.length > 0 && scope.canAdmin ? (
        <Notice kind="warning">
          {resetRequests.length === 1 ? '1 person asked' : `${resetRequests.length} people asked`} for a new password
          from the sign-in page. If the gateway sends email, they already have a link; otherwise use “Create reset link”
          on their row and send it to them.
        </Notice>
      ) : null}
      {users.error ? <ErrorNote message={users.error} onRetry={users.reload} /> : null}
      <TableCard
        head={
          host ? (
            <fieldset className="segmented host-segmented">
              <legend className="sr-only">Show</legend>
              <button type="button" aria-pressed={!everyone} onClick={() => setEveryone(false)}>
                Host users
              </button>
              <button type="button" aria-pressed={everyone} onClick={() => setEveryone(true)}>
                Everyone
              </button>
            </fieldset>
          ) : undefined
        }
      >
        {users.loading ? (
          <Loading what="users" />
        ) : rows.length === 0 && !users.error ? (
          <EmptyState
            title="No users yet"
            action={
              scope.canAdmin ? (
                <button type="button" className="btn primary" onClick={() => setInviting(true)}>
                  Invite the first user
                </button>
              ) : null
            }
          >
            {scope.canAdmin
              ? `Invite the people who should work in ${scope.label}: you get a link to send them.`
              : `Nobody has a role in ${scope.label} yet.`}
          </EmptyState>
        ) : rows.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th>Email</th>
                <th>{host ? 'Host role' : 'Role'}</th>
                {narrow ? null : <th>Status</th>}
                <th className="hide-narrow">Access</th>
                {host && everyone ? <th className="hide-narrow">Accounts</th> : null}
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <UserLine
                  key={u.id}
                  user={u}
                  scope={scope}
                  showAccounts={host && everyone}
                  narrow={narrow}
                  menu={menuFor(u)}
                  onReset={scope.canAdmin ? () => setLinkFor({ user: u, kind: 'reset' }) : undefined}
                />
              ))}
            </tbody>
          </table>
        ) : null}
      </TableCard>

      <InviteDialog
        scope={scope}
        open={inviting}
        onClose={() => setInviting(false)}
        onInvited={(result) => {
          setInviting(false);
          setInvited(result);
          done();
        }}
      />
      <LinkDialog
        title={invited?.invitationLink ? 'Invitation created' : 'User added'}
        open={invited !== null}
        onClose={() => setInvited(null)}
        linkLabel="Invitation link"
        link={invited?.invitationLink}
      >
        {invited ? <InvitedText result={invited} scope={scope} /> : null}
      </LinkDialog>
      <LinkDialog
        title={linkFor?.kind === 'reset' ? 'Password reset link' : 'New invitation link'}
        open={linkFor !== null}
        onClose={() => {
          setLinkFor(null);
          done();
        }}
        linkLabel={linkFor?.kind === 'reset' ? 'Password reset link' : 'Invitation link'}
        load={() => (linkFor ? createLink(linkFor, scope) : Promise.reject(new Error('No user chosen.')))}
      >
        <p className="host-text">
          {linkFor?.kind === 'reset'
            ? `With this link ${linkFor.user.email} chooses a new password.`
            : `A fresh invitation for ${linkFor?.user.email}; earlier invitation links stop working.`}
        </p>
      </LinkDialog>
      <ChangeRoleDialog
        scope={scope}
        user={roleFor}
        onClose={() => setRoleFor(null)}
        onDone={() => {
          setRoleFor(null);
          done();
        }}
      />
      <ExpiryDialog
        user={expiryFor}
        onClose={() => setExpiryFor(null)}
        onDone={() => {
          setExpiryFor(null);
          done();
        }}
      />
      <ConfirmDialog
        title={host ? 'Delete user' : 'Remove from account'}
        open={removing !== null}
        onClose={() => setRemoving(null)}
        confirmLabel={host ? 'Delete user' : 'Remove'}
        onConfirm={async () => {
          if (!removing) return;
          if (host) await userMutation('$id: String!', 'deleteUser(userId: $id)', { id: removing.id });
          else {
            await userMutation('$id: String!, $t: String!', 'removeUserFromTenant(userId: $id, tenantId: $t)', {
              id: removing.id,
              t: scope.tenantId,
            });
          }
          setRemoving(null);
          done();
        }}
      >
        {host
          ? `${removing?.email} loses access to everything at once and is deleted, with their sessions and links. This cannot be undone.`
          : `${removing?.email} loses access to ${scope.label} at once. Their access to other accounts stays.`}
      </ConfirmDialog>
    </Page>
  );
}

function createLink({ user, kind }: LinkRequest, scope: UsersScope): Promise<string> {
  if (kind === 'reset') {
    return userMutation('$id: String!', 'createPasswordResetLink(userId: $id)', { id: user.id });
  }
  return userMutation('$input: SendInvitationInput!', 'sendInvitation(input: $input)', {
    input: {
      email: user.email,
      tenantId: scope.tenantId,
      userType: scope.tenantId === null ? 'AGENCY' : 'ADVERTISER',
    },
  });
}
