import { useEffect, useState } from 'react';
import { gql } from '../../api';
import { CopyButton, Field, Switch } from '../../ui/controls';
import { ago, dateTime } from '../../ui/format';
import { Badge, Card, EmptyState, ErrorNote, Loading, Notice, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import './account.css';

// Where this account's alerts go and when they fire (managers), and what fired (everyone).

interface Settings {
  enabled: boolean;
  emails: string[];
  webhookUrl: string | null;
  webhookSigningKey: string;
  stallMinutes: number;
  deadLetterPercent: number;
  queueAgeMinutes: number;
}
interface Incident {
  id: string;
  pixelId: string;
  destinationName: string | null;
  kind: string;
  detail: string;
  openedAt: string;
  resolvedAt: string | null;
}
const SETTINGS = 'enabled emails webhookUrl webhookSigningKey stallMinutes deadLetterPercent queueAgeMinutes';
const KINDS: Record<string, string> = {
  stalled: 'Not publishing',
  token_rejected: 'Token rejected',
  dead_letters: 'Dead letters',
  queue_age: 'Queue waiting',
  near_expiry: 'Near the 7-day limit',
};

export function AlertsPage() {
  const account = useAccount();
  const incidents = useQuery(
    async () =>
      (
        await gql<{ tenantQueries: { alertIncidents: Incident[] } }>(
          'capig',
          'query ($t: ID!) { tenantQueries(tenantId: $t) { alertIncidents { id pixelId destinationName kind detail openedAt resolvedAt } } }',
          { t: account.id },
        )
      ).tenantQueries.alertIncidents,
    [account.id],
  );
  return (
    <Page
      title="Alerts"
      intro="The gateway tells you when a pixel stops publishing, when Meta rejects its token, when many events are dead-lettered, or when events wait too long. Each alert is sent once when it starts and once when it ends."
    >
      {account.canManage ? <AlertSettingsCard accountId={account.id} /> : null}
      <Card
        title="Incidents"
        actions={
          <button type="button" className="btn small" onClick={incidents.reload}>
            Refresh
          </button>
        }
      >
        {incidents.error ? <ErrorNote message={incidents.error} onRetry={incidents.reload} /> : null}
        {incidents.loading ? <Loading what="incidents" /> : null}
        {incidents.data && incidents.data.length === 0 ? (
          <EmptyState title="Nothing has fired">Incidents appear here when an alert starts.</EmptyState>
        ) : null}
        {incidents.data && incidents.data.length > 0 ? (
          <table className="table">
            <thead>
              <tr>
                <th>Alert</th>
                <th>Pixel or destination</th>
                <th>What</th>
                <th>Since</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {incidents.data.map((i) => (
                <tr key={i.id}>
                  <td>{KINDS[i.kind] ?? i.kind}</td>
                  <td className={i.destinationName ? undefined : 'mono'}>{i.destinationName ?? i.pixelId}</td>
                  <td>{i.detail}</td>
                  <td title={dateTime(Date.parse(i.openedAt))}>{ago(Date.parse(i.openedAt))}</td>
                  <td>
                    {i.resolvedAt ? (
                      <Badge tone="green">Resolved {ago(Date.parse(i.resolvedAt))}</Badge>
                    ) : (
                      <Badge tone="red">Open</Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Card>
    </Page>
  );
}

function AlertSettingsCard({ accountId }: { accountId: string }) {
  const settings = useQuery(
    async () =>
      (
        await gql<{ tenantQueries: { alertSettings: Settings } }>(
          'capig',
          `query ($t: ID!) { tenantQueries(tenantId: $t) { alertSettings { ${SETTINGS} } } }`,
          { t: accountId },
        )
      ).tenantQueries.alertSettings,
    [accountId],
  );
  const s = settings.data;
  const [enabled, setEnabled] = useState(true);
  const [emails, setEmails] = useState('');
  const [webhook, setWebhook] = useState('');
  const [stall, setStall] = useState('30');
  const [deadPct, setDeadPct] = useState('10');
  const [queueAge, setQueueAge] = useState('60');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!s) return;
    setEnabled(s.enabled);
    setEmails(s.emails.join(', '));
    setWebhook(s.webhookUrl ?? '');
    setStall(String(s.stallMinutes));
    setDeadPct(String(s.deadLetterPercent));
    setQueueAge(String(s.queueAgeMinutes));
  }, [s]);
  if (settings.error) return <ErrorNote message={settings.error} onRetry={settings.reload} />;
  if (!s) return <Loading what="alert settings" />;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await gql(
        'capig',
        `mutation ($t: ID!, $input: AlertSettingsInput!) { tenantMutations(tenantId: $t) { updateAlertSettings(input: $input) { ${SETTINGS} } } }`,
        {
          t: accountId,
          input: {
            enabled,
            emails: emails
              .split(/[\s,;]+/)
              .map((x) => x.trim())
              .filter(Boolean),
            webhookUrl: webhook.trim(),
            stallMinutes: Number(stall),
            deadLetterPercent: Number(deadPct),
            queueAgeMinutes: Number(queueAge),
          },
        },
      );
      setSaved(true);
      settings.reload();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Where alerts go">
      <form className="form narrow-form" onSubmit={submit}>
        {saved ? <Notice kind="success">Alert settings saved.</Notice> : null}
        <div className="row">
          <Switch checked={enabled} label="Alerts on" onChange={setEnabled} /> <span>Alerts on</span>
        </div>
        <Field label="Email addresses" hint="Separated by commas; up to 10. Needs email set up on the gateway.">
          {(id) => (
            <input id={id} value={emails} placeholder="ops@yourshop.com" onChange={(e) => setEmails(e.target.value)} />
          )}
        </Field>
        <Field label="Webhook URL" hint="Gets a signed JSON POST per alert (X-Capig-Signature). Leave empty for none.">
          {(id) => (
            <input
              id={id}
              value={webhook}
              placeholder="https://hooks.example.com/capig"
              onChange={(e) => setWebhook(e.target.value)}
            />
          )}
        </Field>
        <NumberField
          label="Not publishing after (minutes)"
          hint="Events waited this long and none was published."
          max={1440}
          value={stall}
          onChange={setStall}
        />
        <NumberField
          label="Dead letters (%)"
          hint="Of the last 15 minutes' events, at least 10 of them."
          max={100}
          value={deadPct}
          onChange={setDeadPct}
        />
        <NumberField
          label="Queue waiting (minutes)"
          hint="The oldest queued event waited this long."
          max={10080}
          value={queueAge}
          onChange={setQueueAge}
        />
        <div className="stack">
          <span className="muted">Webhook signing key (checks X-Capig-Signature)</span>
          <span className="mono break-all">{s.webhookSigningKey}</span>
          <div>
            <CopyButton text={s.webhookSigningKey} label="Copy key" />
          </div>
        </div>
        {error ? <ErrorNote message={error} /> : null}
        <div>
          <button type="submit" className="btn primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Card>
  );
}

/** A threshold from 1 to max. */
function NumberField(props: { label: string; hint: string; max: number; value: string; onChange(v: string): void }) {
  return (
    <Field label={props.label} hint={props.hint}>
      {(id) => (
        <input
          id={id}
          type="number"
          min={1}
          max={props.max}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
