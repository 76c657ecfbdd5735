import { useEffect, useState } from 'react';
import { gql } from '../../api';
import { CopyButton, Field } from '../../ui/controls';
import { Badge, Card, ErrorNote, Loading, Notice, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import './account.css';

// The account's first-party domain: a subdomain of the shop's own site, made a CNAME of the
// gateway, so browsers send events to the shop's domain (first-party cookies, fewer blockers).

interface Ingress {
  ingress: string | null;
  targetDomain: string | null;
  cnameResolveSuccess: boolean | null;
}
const FIELDS = 'ingress targetDomain cnameResolveSuccess';

export function DataRoutingPage() {
  const account = useAccount();
  const routing = useQuery(
    async () =>
      (
        await gql<{ ingressDomain: Ingress | null }>(
          'hub',
          `query ($t: ID!) { ingressDomain(tenantId: $t) { ${FIELDS} } }`,
          { t: account.id },
        )
      ).ingressDomain,
    [account.id],
  );
  const [saved, setSaved] = useState<string | null>(null);
  const r = routing.data;

  return (
    <Page
      title="Data routing"
      intro="A first-party domain is a subdomain of your own website (for example capig.yourshop.com) that points to this gateway. Browsers then send events to your own domain, so cookies last longer and fewer events are lost to blockers."
    >
      {saved ? <Notice kind="success">{saved}</Notice> : null}
      {routing.error ? <ErrorNote message={routing.error} onRetry={routing.reload} /> : null}
      {routing.loading ? <Loading what="data routing" /> : null}
      {r !== undefined ? (
        <Card
          title="First-party domain"
          actions={
            r?.ingress ? (
              <button type="button" className="btn small" onClick={routing.reload}>
                Check again
              </button>
            ) : null
          }
        >
          {r?.ingress ? (
            <div className="stack">
              <div className="routing-status">
                <span className="strong mono break">{r.ingress}</span>
                {r.cnameResolveSuccess ? (
                  <Badge tone="green">Resolves to the gateway</Badge>
                ) : (
                  <Badge tone="amber">Not resolving yet</Badge>
                )}
              </div>
              <p className="muted">
                {r.cnameResolveSuccess
                  ? 'The DNS record is in place: events can be sent to this domain.'
                  : 'Create this record at your DNS provider. It can take a few minutes to an hour to be visible; then press Check again.'}
              </p>
              <dl className="facts record">
                <dt>Type</dt>
                <dd>CNAME</dd>
                <dt>Name</dt>
                <dd>
                  <span className="mono break">{r.ingress}</span> <CopyButton text={r.ingress} label="Copy name" />
                </dd>
                <dt>Target</dt>
                <dd>
                  <span className="mono break">{r.targetDomain ?? '—'}</span>{' '}
                  {r.targetDomain ? <CopyButton text={r.targetDomain} label="Copy target" /> : null}
                </dd>
              </dl>
            </div>
          ) : (
            <p className="muted">
              No first-party domain is set yet: events reach the gateway on its own address.
              {account.canManage ? ' Set one below.' : ' Someone who manages this account can set one.'}
            </p>
          )}
        </Card>
      ) : null}
      {account.canManage && r !== undefined ? (
        <RoutingForm
          accountId={account.id}
          current={r}
          onSaved={(next) => {
            setSaved(`Saved. Now create the CNAME record ${next} at your DNS provider.`);
            routing.reload();
          }}
        />
      ) : null}
    </Page>
  );
}

function RoutingForm({
  accountId,
  current,
  onSaved,
}: {
  accountId: string;
  current: Ingress | null;
  onSaved(record: string): void;
}) {
  const [ingress, setIngress] = useState(current?.ingress ?? '');
  const [target, setTarget] = useState(current?.targetDomain ?? defaultTarget());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setIngress(current?.ingress ?? '');
    if (current?.targetDomain) setTarget(current.targetDomain);
  }, [current?.ingress, current?.targetDomain]);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await gql(
        'hub',
        `mutation ($t: ID!, $input: IngressDomainInput) { upsertIngressDomain(tenantId: $t, input: $input) { ${FIELDS} } }`,
        { t: accountId, input: { ingress: ingress.trim(), targetDomain: target.trim() } },
      );
      onSaved(`${ingress.trim()} → ${target.trim()}`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={current?.ingress ? 'Change the first-party domain' : 'Set a first-party domain'}>
      <form className="form narrow-form" onSubmit={submit}>
        <Field label="First-party domain" hint="A subdomain of your website, e.g. capig.yourshop.com.">
          {(id) => (
            <input
              id={id}
              required
              placeholder="capig.yourshop.com"
              value={ingress}
              onChange={(e) => setIngress(e.target.value)}
            />
          )}
        </Field>
        <Field label="Target domain" hint="The gateway's own host name: the CNAME record points here.">
          {(id) => <input id={id} required value={target} onChange={(e) => setTarget(e.target.value)} />}
        </Field>
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

/** The host this dashboard is served from, when it is a real domain name (not an IP or localhost). */
function defaultTarget(): string {
  const host = window.location.hostname;
  return /\.[a-z][a-z0-9-]*$/i.test(host) ? host : '';
}
