import { useEffect, useState } from 'react';
import type { Level } from '../../session';
import { Field } from '../../ui/controls';
import { FormDialog } from '../../ui/dialog';
import {
  expiryText,
  LEVEL_LABEL,
  LEVELS,
  levelHelp,
  levelIn,
  roleName,
  todayUtc,
  type UserRow,
  type UsersScope,
  userMutation,
} from './users-api';

// The users screen's forms. Each one throws on failure so FormDialog shows the error in place.

export interface InviteResult {
  email: string;
  level: Level;
  userAlreadyExist: boolean;
  invitationLink: string | null;
}

function RoleSelect({ scope, value, onChange }: { scope: UsersScope; value: Level; onChange(l: Level): void }) {
  return (
    <Field label="Role" hint={levelHelp(scope, value)}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value as Level)}>
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {LEVEL_LABEL[l]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function InviteDialog({
  scope,
  open,
  onClose,
  onInvited,
}: {
  scope: UsersScope;
  open: boolean;
  onClose(): void;
  onInvited(result: InviteResult): void;
}) {
  const [email, setEmail] = useState('');
  const [level, setLevel] = useState<Level>('view');
  const [expiry, setExpiry] = useState('');
  useEffect(() => {
    if (!open) return;
    setEmail('');
    setLevel('view');
    setExpiry('');
  }, [open]);
  const submit = async () => {
    const answer = await userMutation<{ userAlreadyExist: boolean; invitationLink: string | null }>(
      '$input: AddUserWithRoleInput!',
      'addUserWithRole(input: $input) { userAlreadyExist invitationLink }',
      { input: { email: email.trim(), roleName: roleName(scope, level), userExpiry: expiry || null } },
    );
    onInvited({ email: email.trim(), level, ...answer });
  };
  return (
    <FormDialog title="Invite user" open={open} onClose={onClose} submitLabel="Create invitation" onSubmit={submit}>
      <Field label="Email" hint="The person signs up with this address.">
        {(id) => (
          <input
            id={id}
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
      </Field>
      <RoleSelect scope={scope} value={level} onChange={setLevel} />
      <Field
        label="Temporary access until"
        hint="Optional. Leave empty for permanent access. Access ends at the end of that day (UTC)."
      >
        {(id) => (
          <input id={id} type="date" min={todayUtc()} value={expiry} onChange={(e) => setExpiry(e.target.value)} />
        )}
      </Field>
    </FormDialog>
  );
}

export function ChangeRoleDialog({
  scope,
  user,
  onClose,
  onDone,
}: {
  scope: UsersScope;
  user: UserRow | null;
  onClose(): void;
  onDone(): void;
}) {
  const current = user ? levelIn(scope, user) : null;
  const [level, setLevel] = useState<Level>('view');
  useEffect(() => {
    if (user) setLevel(current ?? 'view');
  }, [user, current]);
  const submit = async () => {
    if (!user) return;
    if (level !== current) {
      await userMutation('$input: ChangeRoleForUserInput!', 'changeRoleForUser(input: $input) { user { id } }', {
        input: {
          userId: user.id,
          roleToRevoke: current ? roleName(scope, current) : null,
          roleToAdd: roleName(scope, level),
        },
      });
    }
    onDone();
  };
  return (
    <FormDialog title="Change role" open={user !== null} onClose={onClose} submitLabel="Save role" onSubmit={submit}>
      <p className="host-text">
        {scope.tenantId === null ? 'Host role of ' : 'Role of '}
        <strong>{user?.email}</strong>
        {scope.tenantId === null ? ': it applies to every managed account.' : ` in ${scope.label}.`}
      </p>
      <RoleSelect scope={scope} value={level} onChange={setLevel} />
    </FormDialog>
  );
}

export function ExpiryDialog({ user, onClose, onDone }: { user: UserRow | null; onClose(): void; onDone(): void }) {
  const [temporary, setTemporary] = useState(false);
  const [day, setDay] = useState('');
  useEffect(() => {
    if (!user) return;
    setTemporary(user.userExpiry !== null);
    setDay(user.userExpiry ?? '');
  }, [user]);
  const submit = async () => {
    if (!user) return;
    if (temporary && !day) throw new Error('Choose the last day of access, or pick permanent access.');
    await userMutation('$userId: String!, $day: String', 'setUserExpiry(userId: $userId, userExpiry: $day) { id }', {
      userId: user.id,
      day: temporary ? day : null,
    });
    onDone();
  };
  return (
    <FormDialog title="Temporary access" open={user !== null} onClose={onClose} submitLabel="Save" onSubmit={submit}>
      <p className="host-text">
        How long <strong>{user?.email}</strong> keeps access
        {user?.userExpiry ? ` (now: until ${expiryText(user.userExpiry)})` : ' (now: permanent)'}. It applies to
        everything this person can reach.
      </p>
      <fieldset className="host-choices">
        <legend className="sr-only">Access</legend>
        <label className="host-choice">
          <input type="radio" name="expiry" checked={!temporary} onChange={() => setTemporary(false)} />
          <span>Permanent access</span>
        </label>
        <label className="host-choice">
          <input type="radio" name="expiry" checked={temporary} onChange={() => setTemporary(true)} />
          <span>Temporary access</span>
        </label>
      </fieldset>
      {temporary ? (
        <Field label="Access until" hint="Access ends at the end of that day (UTC).">
          {(id) => (
            <input id={id} type="date" required min={todayUtc()} value={day} onChange={(e) => setDay(e.target.value)} />
          )}
        </Field>
      ) : null}
    </FormDialog>
  );
}
