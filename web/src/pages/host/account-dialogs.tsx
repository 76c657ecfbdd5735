import { useEffect, useState } from 'react';
import { gql } from '../../api';
import { Field } from '../../ui/controls';
import { ConfirmDialog, FormDialog } from '../../ui/dialog';

// Forms of Manage accounts. Each throws on failure so the dialog shows the error in words.

export interface AccountRow {
  id: string;
  name: string;
  /** 0 Active, 1 Setup in progress, 2 Deactivated */
  status: number;
  canPartnerManage: boolean;
  /** False for unmanaged accounts the host lists without access to their data. */
  canViewTenantInUI: boolean;
  tenantUsage: {
    totalPixels: number | null;
    tenantUsageByTraffic: { totalEventsReceived: number | string | null; publishError: boolean | null } | null;
  } | null;
}

export interface Created {
  id: string;
  name: string;
  managed: boolean;
  adminEmail: string | null;
  invitationLink: string | null;
}

export function updateAccount(input: { tenantId: string; name?: string; status?: number }) {
  return gql(
    'hub',
    'mutation($input: UpdateTenantInput!) { tenantMutations { updateTenant(input: $input) { tenant { id } } } }',
    {
      input,
    },
  );
}

export function CreateAccountDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose(): void;
  onCreated(created: Created): void;
}) {
  const [name, setName] = useState('');
  const [managed, setManaged] = useState(true);
  const [email, setEmail] = useState('');
  const [enrichment, setEnrichment] = useState(false);
  useEffect(() => {
    if (!open) return;
    setName('');
    setManaged(true);
    setEmail('');
    setEnrichment(false);
  }, [open]);
  const submit = async () => {
    const adminEmail = managed ? null : email.trim();
    if (!managed && !adminEmail) throw new Error('Enter the email of the person who will administer the account.');
    const data = await gql<{
      tenantMutations: { createTenant: { tenant: { id: string; name: string }; invitationLink: string | null } };
    }>(
      'hub',
      'mutation($input: CreateTenantInput!) { tenantMutations { createTenant(input: $input) { tenant { id name } invitationLink } } }',
      { input: { name: name.trim(), canPartnerManage: managed, adminEmail, eventEnrichment: enrichment } },
    ).catch((err: Error) => {
      throw new Error(err.message.replace(/^adminEmail: /, "Administrator's email: "));
    });
    const { tenant, invitationLink } = data.tenantMutations.createTenant;
    onCreated({ id: tenant.id, name: tenant.name, managed, adminEmail, invitationLink });
  };
  return (
    <FormDialog title="Create account" open={open} onClose={onClose} submitLabel="Create" onSubmit={submit}>
      <Field label="Account name" hint="The advertiser or brand, as your team knows it. Up to 100 characters.">
        {(id) => <input id={id} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <fieldset className="host-choices">
        <legend>Who runs this account?</legend>
        <label className="host-choice">
          <input type="radio" name="managed" checked={managed} onChange={() => setManaged(true)} />
          <span>
            <strong>I will manage this account</strong>
            <span className="muted host-sub">Managed: you and the host users reach it. It is active at once.</span>
          </span>
        </label>
        <label className="host-choice">
          <input type="radio" name="managed" checked={!managed} onChange={() => setManaged(false)} />
          <span>
            <strong>Invite someone to be account administrator</strong>
            <span className="muted host-sub">
              Unmanaged: that person finishes the setup and runs it. Host admins see its name, status and usage, not its
              data.
            </span>
          </span>
        </label>
      </fieldset>
      {!managed ? (
        <Field label="Administrator's email" hint="You get an invitation link to send to this person.">
          {(id) => <input id={id} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" checked={enrichment} onChange={(e) => setEnrichment(e.target.checked)} />
        <span>
          Event enrichment
          <span className="muted host-sub"> — Meta's event enrichment setting, kept with the account.</span>
        </span>
      </label>
    </FormDialog>
  );
}

export function RenameDialog({
  account,
  onClose,
  onDone,
}: {
  account: AccountRow | null;
  onClose(): void;
  onDone(): void;
}) {
  const [name, setName] = useState('');
  useEffect(() => setName(account?.name ?? ''), [account]);
  const submit = async () => {
    if (!account) return;
    await updateAccount({ tenantId: account.id, name: name.trim() });
    onDone();
  };
  return (
    <FormDialog title="Edit name" open={account !== null} onClose={onClose} submitLabel="Save name" onSubmit={submit}>
      <Field label="Account name">
        {(id) => <input id={id} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
    </FormDialog>
  );
}

export function DeactivateDialog({
  account,
  onClose,
  onDone,
}: {
  account: AccountRow | null;
  onClose(): void;
  onDone(): void;
}) {
  return (
    <ConfirmDialog
      title="Deactivate account"
      open={account !== null}
      onClose={onClose}
      confirmLabel="Deactivate"
      onConfirm={async () => {
        if (!account) return;
        await updateAccount({ tenantId: account.id, status: 2 });
        onDone();
      }}
    >
      The gateway stops taking events for the pixels of <strong>{account?.name}</strong> at once, so nothing more
      reaches Meta from them. Its settings and users stay; you can activate it again at any time.
    </ConfirmDialog>
  );
}

export function DeleteAccountDialog({
  account,
  onClose,
  onDone,
}: {
  account: AccountRow | null;
  onClose(): void;
  onDone(): void;
}) {
  const [typed, setTyped] = useState('');
  useEffect(() => {
    if (account) setTyped('');
  }, [account]);
  return (
    <ConfirmDialog
      title="Delete account"
      open={account !== null}
      onClose={onClose}
      confirmLabel="Delete account"
      onConfirm={async () => {
        if (!account) return;
        if (typed.trim() !== account.name) throw new Error(`Type the account name, “${account.name}”, to confirm.`);
        await gql('hub', 'mutation($id: String!) { tenantMutations { deleteTenant(tenantId: $id) } }', {
          id: account.id,
        });
        onDone();
      }}
    >
      <div className="host-stack">
        <p className="host-text">
          This deletes <strong>{account?.name}</strong> with its pixels, filters, data routing, queued events and
          counts. People whose only access was this account are deleted too. This cannot be undone.
        </p>
        <Field label="Type the account name to confirm">
          {(id) => <input id={id} autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />}
        </Field>
      </div>
    </ConfirmDialog>
  );
}
