import { useEffect, useState } from 'react';
import { gql } from '../../api';
import { useSession } from '../../session';
import { Field, RowMenu, SecretBox } from '../../ui/controls';
import { ConfirmDialog, Dialog, FormDialog } from '../../ui/dialog';
import { ago, dateTime } from '../../ui/format';
import { EmptyState, ErrorNote, Loading, Notice, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { TableCard } from './table-card';
import './host.css';

// API accounts: client credentials for scripts and integrations, acting as a host admin on
// managed accounts. The secret is shown once, right after creation.

interface ApiAccount {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

interface Credentials {
  clientId: string;
  clientSecret: string;
}

export function ApiAccountsPage() {
  const session = useSession();
  const isAdmin = session.hostLevel === 'admin';
  const list = useQuery(
    () =>
      isAdmin
        ? gql<{ apiAccounts: ApiAccount[] }>('hub', 'query { apiAccounts { id name createdAt lastUsedAt } }').then(
            (d) => d.apiAccounts,
          )
        : Promise.resolve([]),
    [isAdmin],
  );
  const [creating, setCreating] = useState(false);
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [deleting, setDeleting] = useState<ApiAccount | null>(null);

  if (!isAdmin) {
    return (
      <Page title="API accounts">
        <EmptyState title="Host admins only">API accounts are created and deleted by host admins.</EmptyState>
      </Page>
    );
  }
  const createButton = (
    <button type="button" className="btn primary" onClick={() => setCreating(true)}>
      Create API account
    </button>
  );
  const rows = list.data ?? [];
  return (
    <Page
      title="API accounts"
      intro="Credentials for scripts and integrations. They act as a host admin on every managed account."
      actions={createButton}
    >
      {list.error ? <ErrorNote message={list.error} onRetry={list.reload} /> : null}
      <TableCard>
        {list.loading ? (
          <Loading what="API accounts" />
        ) : rows.length === 0 && !list.error ? (
          <EmptyState title="No API accounts yet" action={createButton}>
            Create one when a script or another system needs to manage accounts through the API.
          </EmptyState>
        ) : rows.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th className="hide-narrow">Created</th>
                <th>Last used</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id}>
                  <td className="mono">{a.name}</td>
                  <td className="hide-narrow">{dateTime(Date.parse(a.createdAt))}</td>
                  <td title={a.lastUsedAt ? dateTime(Date.parse(a.lastUsedAt)) : undefined}>
                    {a.lastUsedAt ? ago(Date.parse(a.lastUsedAt)) : <span className="muted">Never</span>}
                  </td>
                  <td className="host-row-actions">
                    <RowMenu
                      label={`Actions for ${a.name}`}
                      items={[{ label: 'Delete', danger: true, onSelect: () => setDeleting(a) }]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </TableCard>

      <CreateApiAccountDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false);
          setCredentials(c);
          list.reload();
        }}
      />
      <CredentialsDialog credentials={credentials} onClose={() => setCredentials(null)} />
      <ConfirmDialog
        title="Delete API account"
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        confirmLabel="Delete API account"
        onConfirm={async () => {
          if (!deleting) return;
          await gql('hub', 'mutation($id: String!) { apiAccountMutations { deleteApiAccount(id: $id) } }', {
            id: deleting.id,
          });
          setDeleting(null);
          list.reload();
        }}
      >
        Integrations using <strong>{deleting?.name}</strong> stop working at once: its tokens are refused from now on.
        This cannot be undone.
      </ConfirmDialog>
    </Page>
  );
}

function CreateApiAccountDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose(): void;
  onCreated(c: Credentials): void;
}) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  useEffect(() => {
    if (!open) return;
    setName('');
    setPassword('');
  }, [open]);
  const submit = async () => {
    if (!/^[A-Za-z0-9]{1,20}$/.test(name))
      throw new Error('The name must be 1 to 20 letters or digits, without spaces.');
    const data = await gql<{ apiAccountMutations: { createApiAccount: Credentials } }>(
      'hub',
      'mutation($name: String!, $password: String) { apiAccountMutations { createApiAccount(name: $name, password: $password) { clientId clientSecret } } }',
      { name, password },
    );
    setPassword('');
    onCreated(data.apiAccountMutations.createApiAccount);
  };
  return (
    <FormDialog title="Create API account" open={open} onClose={onClose} submitLabel="Create" onSubmit={submit}>
      <Field label="Name" hint="1 to 20 letters or digits, e.g. the integration's name. It becomes the client ID.">
        {(id) => (
          <input
            id={id}
            required
            maxLength={20}
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <Field label="Your password" hint="Re-enter your own password to confirm it is you.">
        {(id) => (
          <input
            id={id}
            type="password"
            required
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </Field>
    </FormDialog>
  );
}

function CredentialsDialog({ credentials, onClose }: { credentials: Credentials | null; onClose(): void }) {
  const origin = window.location.origin;
  return (
    <Dialog title="API account created" open={credentials !== null} onClose={onClose} wide>
      {credentials ? (
        <div className="form">
          <Notice kind="warning">
            Copy the client secret now: you will not see the secret again. If it is lost, delete this API account and
            create a new one.
          </Notice>
          <div className="field">
            <span className="host-label">Client ID</span>
            <SecretBox value={credentials.clientId} label="Client ID" />
          </div>
          <div className="field">
            <span className="host-label">Client secret</span>
            <SecretBox value={credentials.clientSecret} label="Client secret" />
          </div>
          <div>
            <h3 className="host-h3">Getting a token</h3>
            <ol className="host-steps">
              <li>
                Exchange the credentials for a token (valid 10 hours):
                <pre>
                  {`curl -X POST ${origin}/clients/token \\\n  -F client_id=${credentials.clientId} \\\n  -F client_secret=<client secret> \\\n  -F grant_type=client_credentials`}
                </pre>
              </li>
              <li>
                Send the <code>access_token</code> of the answer as <code>Authorization: Bearer &lt;token&gt;</code> to{' '}
                <code>{origin}/hub/graphql/</code> and <code>{origin}/capig/graphql/</code>.
              </li>
            </ol>
          </div>
          <div className="dialog-actions">
            <button type="button" className="btn primary" onClick={onClose}>
              I have saved the secret
            </button>
          </div>
        </div>
      ) : null}
    </Dialog>
  );
}
