import { useState } from 'react';
import { TextField } from '../../../ui/controls';
import { FormDialog } from '../../../ui/dialog';
import { tenantMutation } from './gql';

// "Add data source": connects a Meta pixel. The gateway checks the token with Meta before saving,
// so a bad token comes back as an error shown inside the dialog.

const EMPTY = { pixelId: '', businessId: '', accessToken: '', apiVersion: '', name: '' };

export function AddDataSourceDialog({
  accountId,
  open,
  onClose,
  onDone,
}: {
  accountId: string;
  open: boolean;
  onClose(): void;
  onDone(pixelId: string, name: string): void;
}) {
  const [form, setForm] = useState(EMPTY);
  const set = (key: keyof typeof EMPTY) => (value: string) => setForm({ ...form, [key]: value });
  const close = () => {
    setForm(EMPTY);
    onClose();
  };
  return (
    <FormDialog
      title="Add data source"
      open={open}
      onClose={close}
      submitLabel="Connect pixel"
      onSubmit={async () => {
        const data = await tenantMutation<{
          signalMutations: { setupPixelSignalConfig: { connectionStatus: { pixelName: string } | null } | null };
        }>(
          accountId,
          '$input: PixelConnectionCreationInput!',
          'signalMutations { setupPixelSignalConfig(input: $input) { id connectionStatus { pixelName } } }',
          {
            input: {
              pixelId: form.pixelId.trim(),
              businessId: form.businessId.trim(),
              accessToken: form.accessToken.trim(),
              apiVersion: form.apiVersion.trim() || null,
              name: form.name.trim() || null,
              externalId: crypto.randomUUID(),
            },
          },
        );
        const name = data.signalMutations.setupPixelSignalConfig?.connectionStatus?.pixelName ?? '';
        onDone(form.pixelId.trim(), name);
        setForm(EMPTY);
      }}
    >
      <p className="muted">
        Connect a Meta pixel so the gateway can receive its events and publish them to Meta's Conversions API. You find
        the ids and create the token in Meta Events Manager.
      </p>
      <TextField label="Pixel ID" kind="numeric" required value={form.pixelId} onChange={set('pixelId')} />
      <TextField
        label="Business ID"
        hint="The Meta business portfolio that owns the pixel."
        kind="numeric"
        required
        value={form.businessId}
        onChange={set('businessId')}
      />
      <TextField
        label="Access token"
        hint="A system-user access token with permission to send events for this pixel."
        kind="secret"
        required
        value={form.accessToken}
        onChange={set('accessToken')}
      />
      <TextField
        label="API version"
        hint="Optional. Leave empty to use the gateway's default Graph API version."
        placeholder="v24.0"
        value={form.apiVersion}
        onChange={set('apiVersion')}
      />
      <TextField
        label="Name"
        hint="Optional. The pixel's name in Meta is used when Meta tells it."
        value={form.name}
        onChange={set('name')}
      />
    </FormDialog>
  );
}
