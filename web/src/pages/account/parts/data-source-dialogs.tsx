import { useState } from 'react';
import { CopyButton, Field, SecretBox } from '../../../ui/controls';
import { ConfirmDialog, Dialog, FormDialog } from '../../../ui/dialog';
import { ErrorNote, Loading } from '../../../ui/layout';
import { useQuery } from '../../../use-query';
import type { ConnectionStatus } from './data-sources';
import { tenantMutation, tenantQuery } from './gql';

// The dialogs of a data source's row menu. Each is closed while its pixel is null.

const titleOf = (p: ConnectionStatus) => p.pixelName || p.pixelID;

export function AccessKeyDialog({
  accountId,
  pixel,
  onClose,
}: {
  accountId: string;
  pixel: ConnectionStatus | null;
  onClose(): void;
}) {
  return (
    <Dialog title="Server-events access key" open={pixel !== null} onClose={onClose} wide>
      {pixel ? <AccessKeyBody accountId={accountId} pixel={pixel} /> : null}
    </Dialog>
  );
}

function AccessKeyBody({ accountId, pixel }: { accountId: string; pixel: ConnectionStatus }) {
  // The key is only read when asked for, never with the polled overview.
  const key = useQuery(async () => {
    const data = await tenantQuery<{
      account: { signalConfigs: { connectionStatus: { pixelID: string; accessKey: string | null } }[] } | null;
    }>(accountId, '', 'account(timeWindowMin: 1) { signalConfigs { connectionStatus { pixelID accessKey } } }');
    const found = data.account?.signalConfigs.find((c) => c.connectionStatus.pixelID === pixel.pixelID);
    if (!found?.connectionStatus.accessKey) throw new Error('The gateway did not return an access key for this pixel.');
    return found.connectionStatus.accessKey;
  }, [accountId, pixel.pixelID]);
  if (key.error) return <ErrorNote message={key.error} onRetry={key.reload} />;
  if (!key.data) return <Loading what="the access key" />;
  const url = `${window.location.origin}/capi/${pixel.pixelID}/events`;
  const example = [
    `curl -X POST ${url} \\`,
    `  -H "authorization: Bearer ${key.data}" \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d '{"data":[{"event_name":"Purchase","event_time":${Math.floor(Date.now() / 1000)},"action_source":"website","user_data":{"em":"a@b.co"}}]}'`,
  ].join('\n');
  return (
    <div className="dialog-body stack">
      <p className="muted">
        Your servers send Conversions API events for <strong>{titleOf(pixel)}</strong> to the gateway with this key.
        Keep it secret: anyone holding it can send events for this pixel.
      </p>
      <SecretBox value={key.data} label="Access key" />
      <p>
        Call <code className="break-all">POST {url}</code> with the key in an <code>Authorization: Bearer</code> header
        and the usual Conversions API body (<code>data</code>: 1 to 1000 events):
      </p>
      <pre className="json">{example}</pre>
      <div>
        <CopyButton text={example} label="Copy example" />
      </div>
    </div>
  );
}

export function ReplaceTokenDialog({
  accountId,
  pixel,
  onClose,
  onDone,
}: {
  accountId: string;
  pixel: ConnectionStatus | null;
  onClose(): void;
  onDone(text: string): void;
}) {
  const [token, setToken] = useState('');
  const close = () => {
    setToken('');
    onClose();
  };
  return (
    <FormDialog
      title="Replace access token"
      open={pixel !== null}
      onClose={close}
      submitLabel="Replace token"
      onSubmit={async () => {
        if (!pixel) return;
        await tenantMutation(
          accountId,
          '$id: ID!, $token: String!',
          'signalMutations { updateSignalConfigAccessToken(id: $id, accessToken: $token) { id } }',
          { id: pixel.pixelID, token: token.trim() },
        );
        setToken('');
        onDone(`The access token of ${pixel ? titleOf(pixel) : ''} was replaced. Held events are sent again.`);
      }}
    >
      <p className="muted">
        The gateway checks the new token with Meta before saving it. Events held because of a rejected token are
        published again once it is accepted.
      </p>
      <Field label="New access token" hint="A system-user token with access to this pixel, from Events Manager.">
        {(id) => (
          <input
            id={id}
            type="password"
            autoComplete="off"
            required
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        )}
      </Field>
    </FormDialog>
  );
}

export function RemoveDialog({
  accountId,
  pixel,
  onClose,
  onDone,
}: {
  accountId: string;
  pixel: ConnectionStatus | null;
  onClose(): void;
  onDone(text: string): void;
}) {
  return (
    <ConfirmDialog
      title="Remove data source"
      open={pixel !== null}
      onClose={onClose}
      confirmLabel="Remove"
      onConfirm={async () => {
        if (!pixel) return;
        await tenantMutation(accountId, '$id: ID!', 'signalMutations { deleteDataSource(id: $id) }', {
          id: pixel.pixelID,
        });
        onDone(`${titleOf(pixel)} was removed.`);
      }}
    >
      Remove <strong>{pixel ? titleOf(pixel) : ''}</strong> ({pixel?.pixelID}) from this account? The gateway stops
      receiving its events and deletes its filters, its access key and the events still waiting to be sent. Past counts
      stay in the charts.
    </ConfirmDialog>
  );
}
