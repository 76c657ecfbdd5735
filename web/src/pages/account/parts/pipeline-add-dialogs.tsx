import { useEffect, useState } from 'react';
import { Choices, Field, TextField } from '../../../ui/controls';
import { FormDialog } from '../../../ui/dialog';
import { type DataDestination, pipelineMutation } from './pipeline-api';

// Adding a source or a destination to a gateway pipeline, and a Meta destination's dataset and
// token (updateDataDestinationCapiConfig: the gateway checks the token before saving).

type NewSource = 'ADVERTISER_HOSTED_PIXEL' | 'FILE_UPLOAD';

export function AddSourceDialog({
  accountId,
  pipelineId,
  onClose,
  onDone,
}: {
  accountId: string;
  /** null: closed */
  pipelineId: string | null;
  onClose(): void;
  onDone(source: { id: string; name: string; type: NewSource }): void;
}) {
  const [type, setType] = useState<NewSource>('ADVERTISER_HOSTED_PIXEL');
  const [name, setName] = useState('');
  useEffect(() => {
    if (pipelineId) {
      setType('ADVERTISER_HOSTED_PIXEL');
      setName('');
    }
  }, [pipelineId]);
  return (
    <FormDialog
      title="Add source"
      open={pipelineId !== null}
      onClose={onClose}
      submitLabel="Add source"
      onSubmit={async () => {
        const created = await pipelineMutation<{ id: string; name: string } | null>(
          accountId,
          'dataSourceMutations',
          '$name: String!, $type: DataSourceType!, $pipelineId: ID!',
          'createDataSourceForPipeline(name: $name, dataSourceType: $type, pipelineId: $pipelineId) { id name }',
          { name: name.trim(), type, pipelineId },
        );
        if (!created) throw new Error('The gateway did not create the source.');
        onDone({ ...created, type });
      }}
    >
      <Choices
        legend="Kind of source"
        value={type}
        onChange={setType}
        options={[
          {
            value: 'ADVERTISER_HOSTED_PIXEL',
            label: 'Signals Gateway pixel',
            description:
              "A tag for your website's pages, served from your domain; your servers can send events to it too.",
          },
          {
            value: 'FILE_UPLOAD',
            label: 'File upload',
            description: 'Offline events from CSV files, uploaded on the File uploads screen.',
          },
        ]}
      />
      <Field label="Source name" hint="Leave empty for a generated name.">
        {(id) => <input id={id} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
    </FormDialog>
  );
}

type NewDestination = 'META_CONVERSIONS_API' | 'CUSTOM_HTTP_API';
const EMPTY_CAPI = { datasetId: '', accessToken: '', businessId: '', apiVersion: '' };

export function AddDestinationDialog({
  accountId,
  pipelineId,
  onClose,
  onDone,
}: {
  accountId: string;
  pipelineId: string | null;
  onClose(): void;
  onDone(destination: { id: string; name: string; type: NewDestination }): void;
}) {
  const [type, setType] = useState<NewDestination>('META_CONVERSIONS_API');
  const [name, setName] = useState('');
  const [capi, setCapi] = useState(EMPTY_CAPI);
  useEffect(() => {
    if (pipelineId) {
      setType('META_CONVERSIONS_API');
      setName('');
      setCapi(EMPTY_CAPI);
    }
  }, [pipelineId]);
  return (
    <FormDialog
      title="Add destination"
      open={pipelineId !== null}
      onClose={onClose}
      submitLabel="Add destination"
      onSubmit={async () => {
        const created = await pipelineMutation<{ id: string; name: string } | null>(
          accountId,
          'dataDestinationMutations',
          '$input: CreateDataDestinationInput!',
          'createDataDestination(input: $input) { id name }',
          { input: { name: name.trim(), type, pipelineId } },
        );
        if (!created) throw new Error('The gateway did not create the destination.');
        if (type === 'META_CONVERSIONS_API') {
          try {
            await saveCapiConfig(accountId, created.id, capi);
          } catch (err) {
            // Not left half made: a Meta destination without its dataset would only fail later.
            await pipelineMutation(
              accountId,
              'dataDestinationMutations',
              '$id: ID!',
              'deleteDataDestination(id: $id)',
              {
                id: created.id,
              },
            ).catch(() => undefined);
            throw err;
          }
        }
        onDone({ ...created, type });
      }}
    >
      <Choices
        legend="Kind of destination"
        value={type}
        onChange={setType}
        options={[
          {
            value: 'META_CONVERSIONS_API',
            label: 'Meta Conversions API',
            description: 'A Meta dataset, with an access token that may send events to it.',
          },
          {
            value: 'CUSTOM_HTTP_API',
            label: 'Custom HTTP',
            description: 'Your own endpoint: you set the address, the authentication and the payload next.',
          },
        ]}
      />
      <Field label="Destination name" hint="Leave empty for a generated name.">
        {(id) => <input id={id} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      {type === 'META_CONVERSIONS_API' ? <CapiFields value={capi} onChange={setCapi} /> : null}
    </FormDialog>
  );
}

async function saveCapiConfig(accountId: string, id: string, capi: typeof EMPTY_CAPI): Promise<void> {
  const ok = await pipelineMutation<boolean | null>(
    accountId,
    'dataDestinationMutations',
    '$input: UpdateDataDestinationCapiConfigInput!',
    'updateDataDestinationCapiConfig(input: $input)',
    {
      input: {
        id,
        metaDatasetId: capi.datasetId.trim(),
        accessToken: capi.accessToken.trim(),
        businessId: capi.businessId.trim(),
        apiVersion: capi.apiVersion.trim(),
      },
    },
  );
  if (ok === false) throw new Error('The gateway did not save the dataset and token.');
}

function CapiFields({ value, onChange }: { value: typeof EMPTY_CAPI; onChange(next: typeof EMPTY_CAPI): void }) {
  const set = (key: keyof typeof EMPTY_CAPI) => (v: string) => onChange({ ...value, [key]: v });
  return (
    <>
      <TextField
        label="Dataset ID"
        hint="The Meta dataset (pixel) the events go to."
        kind="numeric"
        required
        value={value.datasetId}
        onChange={set('datasetId')}
      />
      <TextField
        label="Access token"
        hint="A system-user token that may send events to this dataset."
        kind="secret"
        required
        value={value.accessToken}
        onChange={set('accessToken')}
      />
      <TextField
        label="Business ID"
        hint="The Meta business portfolio that owns the dataset."
        kind="numeric"
        required
        value={value.businessId}
        onChange={set('businessId')}
      />
      <TextField
        label="API version"
        hint="Optional. Leave empty for the gateway's default Graph API version."
        placeholder="v24.0"
        value={value.apiVersion}
        onChange={set('apiVersion')}
      />
    </>
  );
}

/** A Meta destination's dataset and token, replaced. */
export function CapiConfigDialog({
  accountId,
  destination,
  onClose,
  onDone,
}: {
  accountId: string;
  destination: DataDestination | null;
  onClose(): void;
  onDone(): void;
}) {
  const [capi, setCapi] = useState(EMPTY_CAPI);
  useEffect(() => {
    if (destination) setCapi({ ...EMPTY_CAPI, datasetId: destination.metaCAPIConfig?.dataSetId ?? '' });
  }, [destination]);
  return (
    <FormDialog
      title="Dataset and access token"
      open={destination !== null}
      onClose={onClose}
      submitLabel="Save"
      onSubmit={async () => {
        if (!destination) return;
        await saveCapiConfig(accountId, destination.id, capi);
        onDone();
      }}
    >
      <p className="muted">
        The gateway checks the token with Meta before saving it. The token is never shown again: enter it each time.
      </p>
      <CapiFields value={capi} onChange={setCapi} />
    </FormDialog>
  );
}
