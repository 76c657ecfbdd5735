import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAccounts } from '../../accounts';
import { gql } from '../../api';
import { useSession } from '../../session';
import { type MenuItem, RowMenu } from '../../ui/controls';
import { count } from '../../ui/format';
import { Badge, EmptyState, ErrorNote, Loading, Notice, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { LinkDialog } from '../users/link-dialog';
import {
  type AccountRow,
  CreateAccountDialog,
  type Created,
  DeactivateDialog,
  DeleteAccountDialog,
  RenameDialog,
  updateAccount,
} from './account-dialogs';
import { TableCard } from './table-card';
import './host.css';

// Manage accounts: every account the host reaches, with the last 24 hours of traffic. Host admins
// create accounts; account admins (host admins on managed accounts) rename, deactivate, delete.

// Host admins also list unmanaged accounts (name, status, usage), as Meta's page does.
const QUERY = `query ManageAccounts { tenants(includeUnmanaged: true) { id name status canPartnerManage canViewTenantInUI
  tenantUsage { totalPixels tenantUsageByTraffic { totalEventsReceived publishError } } } }`;

export function ManageAccountsPage() {
  const session = useSession();
  const accounts = useAccounts();
  const navigate = useNavigate();
  const list = useQuery(() => gql<{ tenants: AccountRow[] }>('hub', QUERY).then((d) => d.tenants), [], 60_000);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [renaming, setRenaming] = useState<AccountRow | null>(null);
  const [deactivating, setDeactivating] = useState<AccountRow | null>(null);
  const [deleting, setDeleting] = useState<AccountRow | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const mayCreate = session.hostLevel === 'admin';

  const changed = () => {
    list.reload();
    void accounts.reload();
  };
  const activate = async (a: AccountRow) => {
    setActionError(null);
    try {
      await updateAccount({ tenantId: a.id, status: 0 });
      changed();
    } catch (err) {
      setActionError(`${a.name} could not be activated: ${(err as Error).message}`);
    }
  };
  const menuFor = (a: AccountRow): MenuItem[] => {
    if (!a.canViewTenantInUI) return [];
    const items: MenuItem[] = [{ label: 'Open', onSelect: () => navigate(`/a/${encodeURIComponent(a.id)}`) }];
    if (!session.can('admin', a.id, a.canPartnerManage)) return items;
    items.push({ label: 'Edit name', onSelect: () => setRenaming(a) });
    if (a.status === 2) items.push({ label: 'Activate', onSelect: () => void activate(a) });
    else items.push({ label: 'Deactivate', onSelect: () => setDeactivating(a) });
    items.push({ label: 'Delete', danger: true, onSelect: () => setDeleting(a) });
    return items;
  };
  const createButton = mayCreate ? (
    <button type="button" className="btn primary" onClick={() => setCreating(true)}>
      Create account
    </button>
  ) : null;
  const rows = list.data ?? [];

  return (
    <Page
      title="Manage accounts"
      intro="Each account holds the pixels of one advertiser or brand. Traffic covers the last 24 hours."
      actions={createButton}
    >
      {created?.managed ? (
        <Notice kind="success">
          <span>
            {created.name} is ready. <Link to={`/a/${encodeURIComponent(created.id)}`}>Open it</Link> to add its pixels
            and websites.
          </span>
          <button type="button" className="btn small ghost" onClick={() => setCreated(null)}>
            Dismiss
          </button>
        </Notice>
      ) : null}
      {actionError ? <ErrorNote message={actionError} /> : null}
      {list.error ? <ErrorNote message={list.error} onRetry={list.reload} /> : null}
      <TableCard>
        {list.loading ? (
          <Loading what="accounts" />
        ) : rows.length === 0 && !list.error ? (
          <EmptyState title="No accounts yet" action={createButton}>
            {mayCreate
              ? 'Create an account for each advertiser or brand whose events this gateway sends to Meta, then add its pixels.'
              : 'A host admin creates accounts; they appear here once they exist.'}
          </EmptyState>
        ) : rows.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th>Account</th>
                <th>Status</th>
                <th className="hide-narrow">Management</th>
                <th className="num">Events (24 h)</th>
                <th className="num hide-narrow">Pixels</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <AccountLine key={a.id} account={a} menu={menuFor(a)} />
              ))}
            </tbody>
          </table>
        ) : null}
      </TableCard>

      <CreateAccountDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false);
          setCreated(c);
          changed();
        }}
      />
      <LinkDialog
        title="Account created"
        open={created !== null && !created.managed}
        onClose={() => setCreated(null)}
        linkLabel="Invitation link"
        link={created?.invitationLink}
        after={
          <Notice>
            {created?.name} is unmanaged: it is run by its own administrator. You see its status and usage here, not its
            data, unless they give you a role in it.
          </Notice>
        }
      >
        <p className="host-text">
          {created?.invitationLink
            ? `Send this invitation link to ${created.adminEmail}. They sign up as the administrator of ${created.name} and finish its setup; until then it is “Setup in progress”.`
            : `${created?.adminEmail} already has a sign-in: they find ${created?.name} in their accounts when they sign in.`}
        </p>
      </LinkDialog>
      <RenameDialog
        account={renaming}
        onClose={() => setRenaming(null)}
        onDone={() => {
          setRenaming(null);
          changed();
        }}
      />
      <DeactivateDialog
        account={deactivating}
        onClose={() => setDeactivating(null)}
        onDone={() => {
          setDeactivating(null);
          changed();
        }}
      />
      <DeleteAccountDialog
        account={deleting}
        onClose={() => setDeleting(null)}
        onDone={() => {
          setDeleting(null);
          changed();
        }}
      />
    </Page>
  );
}

const STATUS: Record<number, { label: string; tone: 'green' | 'amber' | 'grey' }> = {
  0: { label: 'Active', tone: 'green' },
  1: { label: 'Setup in progress', tone: 'amber' },
  2: { label: 'Deactivated', tone: 'grey' },
};

function AccountLine({ account: a, menu }: { account: AccountRow; menu: MenuItem[] }) {
  const status = STATUS[a.status] ?? { label: `Status ${a.status}`, tone: 'grey' as const };
  const traffic = a.tenantUsage?.tenantUsageByTraffic;
  const events = traffic?.totalEventsReceived;
  return (
    <tr>
      <td className="host-name-cell">
        {a.canViewTenantInUI ? (
          <Link to={`/a/${encodeURIComponent(a.id)}`}>{a.name}</Link>
        ) : (
          <span title="Unmanaged: run by its own administrator">{a.name}</span>
        )}
        {traffic?.publishError ? <Badge tone="red">Publishing errors</Badge> : null}
      </td>
      <td>
        <Badge tone={status.tone}>{status.label}</Badge>
      </td>
      <td className="hide-narrow">{a.canPartnerManage ? 'Managed' : <span className="muted">Unmanaged</span>}</td>
      <td className="num">{count(events == null ? null : Number(events))}</td>
      <td className="num hide-narrow">{count(a.tenantUsage?.totalPixels)}</td>
      <td className="host-row-actions">
        <RowMenu label={`Actions for ${a.name}`} items={menu} />
      </td>
    </tr>
  );
}
