import { useState } from 'react';
import { CopyButton, SecretBox, Switch } from '../../../ui/controls';
import { Dialog } from '../../../ui/dialog';
import { ErrorNote, Loading } from '../../../ui/layout';
import { useQuery } from '../../../use-query';
import { tenantQuery } from './gql';
import type { DataSource } from './pipeline-api';
import { pipelineMutation } from './pipeline-api';

// A Signals Gateway pixel's setup: the code for the page's <head>, the key for server events,
// and the tag's switches (updateGatewayPixelConfig), each saved as it is flipped.

interface PixelConfig {
  enabledStatus: boolean | null;
  enableFirstPartyCookie: boolean | null;
  enableAam: boolean | null;
  enableAutomaticForkMetaPixelEvent: boolean | null;
  enableContactDataHash: boolean | null;
}
type ConfigKey = keyof PixelConfig;
const CONFIG_FIELDS =
  'enabledStatus enableFirstPartyCookie enableAam enableAutomaticForkMetaPixelEvent enableContactDataHash';

const SWITCHES: { key: ConfigKey; label: string; effect: string }[] = [
  { key: 'enabledStatus', label: 'Tag on', effect: 'Off: the tag loads but sends nothing.' },
  {
    key: 'enableFirstPartyCookie',
    label: 'First-party cookie',
    effect: 'Keeps the browser id (_fbp) in a cookie of your own domain, so it lasts longer.',
  },
  {
    key: 'enableAam',
    label: 'Automatic advanced matching',
    effect: 'Reads email, phone and name from your forms and sends them hashed, for better matching.',
  },
  {
    key: 'enableContactDataHash',
    label: 'Hash contact data in the browser',
    effect: 'Customer information leaves the page already hashed (SHA-256).',
  },
  {
    key: 'enableAutomaticForkMetaPixelEvent',
    label: 'Mirror Meta pixel events',
    effect: 'Every fbq(…) call on the page is also sent through this pixel.',
  },
];

export function GatewayPixelDialog({
  accountId,
  source,
  canManage,
  onClose,
}: {
  accountId: string;
  source: DataSource | null;
  canManage: boolean;
  onClose(): void;
}) {
  return (
    <Dialog title="Signals Gateway pixel" open={source !== null} onClose={onClose} wide>
      {source ? <PixelSetup accountId={accountId} source={source} canManage={canManage} /> : null}
    </Dialog>
  );
}

function PixelSetup({ accountId, source, canManage }: { accountId: string; source: DataSource; canManage: boolean }) {
  const details = useQuery(async () => {
    const data = await tenantQuery<{
      dataSourcesQuery:
        | ({ id: string; accessKey: string | null; gatewayPixelConfig: PixelConfig | null } | null)[]
        | null;
    }>(accountId, '', `dataSourcesQuery { id accessKey gatewayPixelConfig { ${CONFIG_FIELDS} } }`);
    const found = (data.dataSourcesQuery ?? []).find((s) => s?.id === source.id);
    if (!found) throw new Error('The gateway no longer knows this source.');
    return found;
  }, [accountId, source.id]);
  // The header code is made by a mutation (Meta's API): only managers ask for it.
  const code = useQuery(
    async () =>
      canManage
        ? pipelineMutation<string | null>(
            accountId,
            'dataSourceMutations',
            '$id: ID!',
            'createGatewayPixelHeaderCode(dataSourceId: $id)',
            { id: source.id },
          )
        : null,
    [accountId, source.id, canManage],
  );
  const [config, setConfig] = useState<PixelConfig | null>(null);
  const [saving, setSaving] = useState<ConfigKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = config ?? details.data?.gatewayPixelConfig ?? null;
  const flip = async (key: ConfigKey, on: boolean) => {
    setSaving(key);
    setError(null);
    try {
      const saved = await pipelineMutation<PixelConfig | null>(
        accountId,
        'dataSourceMutations',
        '$id: String!, $config: GatewayPixelConfigurationInput',
        `updateGatewayPixelConfig(pixelId: $id, config: $config) { ${CONFIG_FIELDS} }`,
        { id: source.id, config: { [key]: on } },
      );
      if (saved) setConfig(saved);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(null);
    }
  };
  const serverUrl = `${window.location.origin}/capi/${source.id}/events`;
  return (
    <div className="dialog-body stack">
      <p className="muted">
        <strong>{source.name || source.id}</strong> <span className="mono">{source.id}</span>
      </p>
      {canManage ? (
        <section className="stack" aria-label="Code for your pages">
          <h3>Code for your pages</h3>
          <p className="muted">Paste it into the &lt;head&gt; of every page of your website.</p>
          {code.error ? <ErrorNote message={code.error} onRetry={code.reload} /> : null}
          {code.loading ? <Loading what="the header code" /> : null}
          {code.data ? (
            <>
              <pre className="json wrap">{code.data}</pre>
              <div>
                <CopyButton text={code.data} label="Copy code" />
              </div>
            </>
          ) : null}
        </section>
      ) : null}
      {details.error ? <ErrorNote message={details.error} onRetry={details.reload} /> : null}
      {details.loading ? <Loading what="the pixel's settings" /> : null}
      {details.data?.accessKey ? (
        <section className="stack">
          <h3>Server events</h3>
          <p className="muted">
            Your servers send events with <code className="break-all">POST {serverUrl}</code> and this key in an{' '}
            <code>Authorization: Bearer</code> header. Keep it secret.
          </p>
          <SecretBox value={details.data.accessKey} label="Access key" />
        </section>
      ) : null}
      {shown ? (
        <section className="stack">
          <h3>Settings</h3>
          {error ? <ErrorNote message={error} /> : null}
          <ul className="switch-list">
            {SWITCHES.map((s) => (
              <li key={s.key}>
                <Switch
                  checked={!!shown[s.key]}
                  label={s.label}
                  disabled={!canManage || saving !== null}
                  onChange={(on) => void flip(s.key, on)}
                />
                <span>
                  <span className="strong">{s.label}</span>
                  <span className="sub block">{s.effect}</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
