import { useEffect, useId, useState } from 'react';
import { Choices, Switch } from '../../ui/controls';
import { Card, ErrorNote, Loading, Notice, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import { tenantMutation, tenantQuery } from './parts/gql';
import './account.css';
import './pipelines.css';

// The account's privacy settings (C.5): event enrichment, what a denied consent does, and the data
// processing options added to events that carry none. Each says what it changes for people.

type ConsentPolicy = 'IGNORE' | 'DROP' | 'LIMIT';
interface Privacy {
  eventEnrichment: boolean | null;
  consentPolicy: ConsentPolicy | null;
  consentRequired: boolean | null;
  dataProcessingOptions: (string | null)[] | null;
  dataProcessingOptionsCountry: number | null;
  dataProcessingOptionsState: number | null;
}
const FIELDS =
  'eventEnrichment consentPolicy consentRequired dataProcessingOptions dataProcessingOptionsCountry dataProcessingOptionsState';

const POLICIES: { value: ConsentPolicy; label: string; description: string }[] = [
  {
    value: 'IGNORE',
    label: 'Send as usual',
    description: 'A denied consent changes nothing: the event goes to every destination with its customer information.',
  },
  {
    value: 'LIMIT',
    label: 'Limit',
    description:
      'The event is sent without customer information (only the IP address and user agent stay) and marked Limited Data Use.',
  },
  {
    value: 'DROP',
    label: 'Drop',
    description: 'The event is not sent anywhere; it is counted as dropped (consent denied).',
  },
];

/** Meta's codes for LDU: country 1 = United States, state 1000 = California; 0 = let Meta geolocate. */
const LOCATIONS = [
  { key: 'geo', label: 'Where Meta locates the person', country: 0, state: 0 },
  { key: 'us', label: 'United States, all states', country: 1, state: 0 },
  { key: 'ca', label: 'United States, California', country: 1, state: 1000 },
];

export function PrivacyPage() {
  const account = useAccount();
  const settings = useQuery(
    async () =>
      (await tenantQuery<{ privacySettings: Privacy | null }>(account.id, '', `privacySettings { ${FIELDS} }`))
        .privacySettings,
    [account.id],
  );
  const [enrichment, setEnrichment] = useState(false);
  const [policy, setPolicy] = useState<ConsentPolicy>('DROP');
  const [required, setRequired] = useState(false);
  const [ldu, setLdu] = useState(false);
  const [location, setLocation] = useState('geo');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const locationId = useId();
  const s = settings.data;
  useEffect(() => {
    if (!s) return;
    setEnrichment(!!s.eventEnrichment);
    setPolicy(s.consentPolicy ?? 'DROP');
    setRequired(!!s.consentRequired);
    setLdu((s.dataProcessingOptions ?? []).includes('LDU'));
    const found = LOCATIONS.find(
      (l) => l.country === (s.dataProcessingOptionsCountry ?? 0) && l.state === (s.dataProcessingOptionsState ?? 0),
    );
    setLocation(found?.key ?? 'geo');
  }, [s]);
  const edit = account.canManage;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    const where = LOCATIONS.find((l) => l.key === location) ?? LOCATIONS[0];
    try {
      await tenantMutation(
        account.id,
        '$input: PrivacySettingsInput!',
        `updatePrivacySettings(input: $input) { ${FIELDS} }`,
        {
          input: {
            eventEnrichment: enrichment,
            consentPolicy: policy,
            consentRequired: required,
            dataProcessingOptions: ldu ? ['LDU'] : [],
            dataProcessingOptionsCountry: ldu ? where?.country : 0,
            dataProcessingOptionsState: ldu ? where?.state : 0,
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
    <Page
      title="Privacy"
      intro="How this account's events treat the people they are about: matching across visits, consent, and Limited Data Use."
    >
      {settings.error ? <ErrorNote message={settings.error} onRetry={settings.reload} /> : null}
      {!s && !settings.error ? <Loading what="privacy settings" /> : null}
      {s ? (
        <form className="stack" onSubmit={submit}>
          {saved ? (
            <Notice kind="success">Privacy settings saved. New events follow them within seconds.</Notice>
          ) : null}
          <Card title="Event enrichment">
            <div className="switch-line">
              <Switch checked={enrichment} label="Event enrichment" disabled={!edit} onChange={setEnrichment} />
              <div>
                <p className="strong">Remember customer information in a first-party cookie</p>
                <p className="muted">
                  When a page sends an event with advanced matching (a hashed email or phone), the gateway keeps those
                  hashed values in a cookie of your domain for 90 days and adds them to later events of the same
                  browser. Privacy effect: a person identified once on your site is matched on later visits too, even
                  when they are not signed in.
                </p>
              </div>
            </div>
          </Card>
          <Card title="Consent">
            <Choices
              legend="When a person denies consent"
              options={POLICIES}
              value={policy}
              onChange={setPolicy}
              disabled={!edit}
            />
            <div className="switch-line spaced">
              <Switch checked={required} label="Consent required" disabled={!edit} onChange={setRequired} />
              <div>
                <p className="strong">Consent required</p>
                <p className="muted">
                  Events that carry no consent signal count as denied, so the policy above applies to them too. Turn on
                  when your site must ask before tracking (opt-in); off treats silence as consent (opt-out).
                </p>
              </div>
            </div>
          </Card>
          <Card title="Data processing options">
            <div className="switch-line">
              <Switch checked={ldu} label="Limited Data Use" disabled={!edit} onChange={setLdu} />
              <div>
                <p className="strong">Limited Data Use (LDU)</p>
                <p className="muted">
                  Added to every event that does not carry its own data processing options. Meta then processes the
                  events only as a service provider under US state privacy laws (no use for its own ads), in the places
                  chosen below. Events that set their own options keep them.
                </p>
              </div>
            </div>
            {ldu ? (
              <div className="field narrow-form spaced">
                <label htmlFor={locationId}>Where LDU applies</label>
                <select id={locationId} value={location} disabled={!edit} onChange={(e) => setLocation(e.target.value)}>
                  {LOCATIONS.map((l) => (
                    <option key={l.key} value={l.key}>
                      {l.label}
                    </option>
                  ))}
                </select>
              </div>
            ) : null}
          </Card>
          {error ? <ErrorNote message={error} /> : null}
          {edit ? (
            <div>
              <button type="submit" className="btn primary" disabled={busy}>
                {busy ? 'Saving…' : 'Save privacy settings'}
              </button>
            </div>
          ) : (
            <p className="muted">Only people who manage this account can change these settings.</p>
          )}
        </form>
      ) : null}
    </Page>
  );
}
