import type { MenuItem } from '../../ui/controls';
import { RowMenu } from '../../ui/controls';
import { ago } from '../../ui/format';
import { Badge, Notice } from '../../ui/layout';
import type { InviteResult } from './user-dialogs';
import {
  accountNames,
  expiryText,
  LEVEL_LABEL,
  levelIn,
  todayUtc,
  USER_ACTIVE,
  USER_PENDING,
  type UserRow,
  type UsersScope,
} from './users-api';

// One row of the users table, and the words shown after an invitation.

export function InvitedText({ result, scope }: { result: InviteResult; scope: UsersScope }) {
  const role = `${LEVEL_LABEL[result.level]} role`;
  if (result.invitationLink) {
    return (
      <p className="host-text">
        {result.userAlreadyExist
          ? `${result.email} was invited before and has not signed up yet. They now also have the ${role} in ${scope.label}; this new link replaces earlier ones.`
          : `Send this invitation link to ${result.email}. They choose a password and get the ${role} in ${scope.label}.`}
      </p>
    );
  }
  return (
    <Notice kind={result.userAlreadyExist ? 'success' : 'warning'}>
      {result.userAlreadyExist
        ? `${result.email} already has a sign-in, so no invitation is needed: they now have the ${role} in ${scope.label}.`
        : `${result.email} was added with the ${role}, but their invitation link can only be created by someone who administers every account they are in.`}
    </Notice>
  );
}

export function UserLine({
  user,
  scope,
  showAccounts,
  narrow,
  menu,
  onReset,
}: {
  user: UserRow;
  scope: UsersScope;
  showAccounts: boolean;
  /** Phones: the status moves under the email, so the row fits without scrolling. */
  narrow: boolean;
  menu: MenuItem[];
  onReset?: () => void;
}) {
  const level = levelIn(scope, user);
  const resetAsked = user.passwordResetRequestedAt !== null && user.status === USER_ACTIVE;
  const ended = user.userExpiry !== null && user.userExpiry < todayUtc();
  return (
    <tr>
      <td>
        <div className="host-person">
          <span className="host-person-email">{breakableEmail(user.email)}</span>
          {user.isSelf ? <Badge tone="blue">You</Badge> : null}
          {narrow ? <StatusBadge status={user.status} /> : null}
        </div>
        {resetAsked ? (
          <div className="host-reset-asked">
            <Badge tone="amber">Password reset requested</Badge>
            <span className="muted hide-narrow"> {ago(user.passwordResetRequestedAt)}</span>
            {onReset ? (
              <button
                type="button"
                className="btn small primary"
                aria-label={`Create reset link for ${user.email}`}
                onClick={onReset}
              >
                Create reset link
              </button>
            ) : null}
          </div>
        ) : null}
      </td>
      <td>{level ? LEVEL_LABEL[level] : <span className="muted">None</span>}</td>
      {narrow ? null : (
        <td>
          <StatusBadge status={user.status} />
        </td>
      )}
      <td className="hide-narrow">
        {user.userExpiry === null ? (
          <span className="muted">Permanent</span>
        ) : ended ? (
          <Badge tone="red">Ended {expiryText(user.userExpiry)}</Badge>
        ) : (
          `Until ${expiryText(user.userExpiry)}`
        )}
      </td>
      {showAccounts ? <td className="hide-narrow">{accountNames(user).join(', ') || '—'}</td> : null}
      <td className="host-row-actions">
        <RowMenu label={`Actions for ${user.email}`} items={menu} />
      </td>
    </tr>
  );
}

/** Lets a narrow column wrap an address after the @ rather than mid-word. */
function breakableEmail(email: string) {
  const at = email.indexOf('@');
  if (at < 0) return email;
  return (
    <>
      {email.slice(0, at + 1)}
      <wbr />
      {email.slice(at + 1)}
    </>
  );
}

function StatusBadge({ status }: { status: number }) {
  if (status === USER_ACTIVE) return <Badge tone="green">Active</Badge>;
  if (status === USER_PENDING) return <Badge tone="amber">Pending</Badge>;
  return <Badge tone="grey">Deactivated</Badge>;
}
