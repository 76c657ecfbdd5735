import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api';
import { Field } from '../../ui/controls';
import { Card, EmptyState, ErrorNote, Loading, Notice, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import { tenantQuery } from './parts/gql';
import {
  AuthFields,
  formOf,
  HTTP_CONFIG_FIELDS,
  type HttpConfigView,
  type HttpForm,
  inputOf,
} from './parts/http-auth-fields';
import { type PayloadTemplate, TEMPLATE_FIELDS, TemplateLibrary } from './parts/payload-templates';
import { pipelineMutation } from './parts/pipeline-api';
import { TEST_EVENT_FIELDS, type TestEventResult, TestEventView } from './parts/test-event';
import './account.css';
import './pipelines.css';

// A custom HTTP destination: where it sends, how it authenticates, the payload template (with the
// library), and "Send test event", which shows the rendered request and the destination's answer.

interface Destination {
  id: string;
  name: string | null;
  type: string | null;
  lane: string | null;
  httpConfig: HttpConfigView | null;
}

export function HttpDestinationPage() {
  const account = useAccount();
  const { destinationId = '' } = useParams();
  const data = useQuery(async () => {
    const d = await tenantQuery<{
      dataDestinationsQuery: (Destination | null)[] | null;
      payloadTemplates: PayloadTemplate[];
    }>(
      account.id,
      '',
      `dataDestinationsQuery { id name type lane httpConfig { ${HTTP_CONFIG_FIELDS} } } payloadTemplates { ${TEMPLATE_FIELDS} }`,
    );
    return {
      destination: (d.dataDestinationsQuery ?? []).find((x) => x?.id === destinationId) ?? null,
      templates: d.payloadTemplates,
    };
  }, [account.id, destinationId]);
  const back = <Link to={`/a/${encodeURIComponent(account.id)}/pipelines`}>Back to pipelines</Link>;
  const d = data.data?.destination;
  if (data.error || !data.data || !d || d.type !== 'CUSTOM_HTTP_API') {
    return (
      <Page title="Custom HTTP destination" actions={back}>
        {data.error ? (
          <ErrorNote message={data.error} onRetry={data.reload} />
        ) : !data.data ? (
          <Loading what="the destination" />
        ) : (
          <Card>
            <EmptyState title="No such custom HTTP destination" action={back}>
              It was removed, or it is not a custom HTTP destination of this account.
            </EmptyState>
          </Card>
        )}
      </Page>
    );
  }
  return (
    <Page
      title={d.name || d.id}
      intro="A custom HTTP destination: each event of its pipelines is rendered with the payload template and sent to the endpoint."
      actions={back}
    >
      <Editor
        key={d.id}
        accountId={account.id}
        destination={d}
        templates={data.data.templates}
        canManage={account.canManage}
        onTemplatesChanged={data.reload}
      />
    </Page>
  );
}

function Editor({
  accountId,
  destination: d,
  templates,
  canManage,
  onTemplatesChanged,
}: {
  accountId: string;
  destination: Destination;
  templates: PayloadTemplate[];
  canManage: boolean;
  onTemplatesChanged(): void;
}) {
  const [form, setForm] = useState<HttpForm>(() => formOf(d.httpConfig, templates[0]?.body ?? ''));
  const [hasSecrets, setHasSecrets] = useState(d.httpConfig?.hasSecrets ?? false);
  const [dirty, setDirty] = useState(!d.httpConfig?.endpoint);
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [testEvent, setTestEvent] = useState('');
  const [result, setResult] = useState<TestEventResult | null>(null);
  const set = (key: keyof HttpForm, value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    setDirty(true);
    setNotice(null);
  };

  const save = async (): Promise<boolean> => {
    setErrors([]);
    try {
      await pipelineMutation(
        accountId,
        'dataDestinationMutations',
        '$input: UpdateDataDestinationHttpConfigInput!',
        'updateDataDestinationHttpConfig(input: $input)',
        { input: inputOf(d.id, form) },
      );
    } catch (err) {
      // Every problem the gateway found, one per line, so all can be fixed in one go.
      const all = err instanceof ApiError ? err.messages : [(err as Error).message];
      setErrors(all.flatMap(problemsIn));
      return false;
    }
    const secretTyped = [form.apiKeyValue, form.basicUser, form.basicPassword, form.clientSecret, form.privateKey];
    if (form.authType !== 'NONE' && secretTyped.some((s) => s !== '')) setHasSecrets(true);
    setForm((f) => ({ ...f, apiKeyValue: '', basicUser: '', basicPassword: '', clientSecret: '', privateKey: '' }));
    setDirty(false);
    return true;
  };
  const submit = async () => {
    setBusy('save');
    setResult(null);
    if (await save()) setNotice('Saved. New events of its pipelines are sent with these settings.');
    setBusy(null);
  };
  const sendTest = async () => {
    setBusy('test');
    setResult(null);
    // The test uses the saved settings: save what is on screen first.
    if (dirty && !(await save())) {
      setBusy(null);
      return;
    }
    try {
      const r = await pipelineMutation<TestEventResult | null>(
        accountId,
        'dataDestinationMutations',
        '$input: SendTestEventInput!',
        `sendTestEvent(input: $input) { ${TEST_EVENT_FIELDS} }`,
        { input: { id: d.id, event: testEvent.trim() || null } },
      );
      setResult(r ?? { request: null, response: null, error: 'The gateway sent no result.' });
    } catch (err) {
      setResult({ request: null, response: null, error: (err as Error).message });
    } finally {
      setBusy(null);
    }
  };

  return (
    // Not a <form>: the template library's dialogs hold forms of their own. The gateway checks
    // everything on Save and lists every problem at once.
    <section className="stack" aria-label="Destination settings">
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {errors.length > 0 ? (
        <div className="notice error" role="alert">
          <div>
            <span className="strong">The settings were not saved:</span>
            <ul className="error-list">
              {errors.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
      <fieldset className="bare" disabled={!canManage}>
        <Card title="Request">
          <div className="form">
            <div className="inline-form request-line">
              <Field label="Method">
                {(id) => (
                  <select id={id} value={form.httpMethod} onChange={(e) => set('httpMethod', e.target.value)}>
                    <option value="POST">POST</option>
                    <option value="PUT">PUT</option>
                    <option value="GET">GET</option>
                  </select>
                )}
              </Field>
              <div className="grow-field">
                <Field label="Endpoint" hint="An http(s) URL the gateway host allows (CAPIG_DESTINATION_ALLOW).">
                  {(id) => (
                    <input
                      id={id}
                      required
                      type="url"
                      maxLength={2048}
                      placeholder="https://api.example.com/events"
                      value={form.endpoint}
                      onChange={(e) => set('endpoint', e.target.value)}
                    />
                  )}
                </Field>
              </div>
            </div>
            <Field label="Timeout (ms)" hint="How long one request may take, 100 to 60000.">
              {(id) => (
                <input
                  id={id}
                  type="number"
                  min={100}
                  max={60000}
                  className="short"
                  value={form.timeoutMs}
                  onChange={(e) => set('timeoutMs', e.target.value)}
                />
              )}
            </Field>
          </div>
        </Card>
        <Card title="Authentication">
          <div className="form narrow-form">
            <Field label="Auth type">
              {(id) => (
                <select id={id} value={form.authType} onChange={(e) => set('authType', e.target.value)}>
                  <option value="NONE">None</option>
                  <option value="API_KEY">API key</option>
                  <option value="BASIC">Basic (user and password)</option>
                  <option value="CLIENT_CREDENTIALS">OAuth client credentials</option>
                  <option value="JSON_WEB_TOKEN">JSON web token (service account)</option>
                </select>
              )}
            </Field>
            <AuthFields form={form} set={set} hasSecrets={hasSecrets} />
          </div>
        </Card>
        <Card title="Payload template">
          <div className="form">
            <TemplateLibrary
              accountId={accountId}
              templates={templates}
              current={form.payloadSchema}
              canManage={canManage}
              onLoad={(body) => set('payloadSchema', body)}
              onChanged={(text) => {
                setNotice(text);
                onTemplatesChanged();
              }}
            />
            <Field
              label="Template"
              hint={
                <>
                  Liquid: <code>events</code> holds the batch (each event's fields flattened: <code>event_name</code>,{' '}
                  <code>value</code>, <code>currency</code>…), <code>event</code> the one event of a single-event batch;
                  filter <code>hash256</code>.
                </>
              }
            >
              {(id) => (
                <textarea
                  id={id}
                  rows={12}
                  className="mono template"
                  spellCheck={false}
                  value={form.payloadSchema}
                  onChange={(e) => set('payloadSchema', e.target.value)}
                />
              )}
            </Field>
          </div>
        </Card>
      </fieldset>
      {canManage ? (
        <Card title="Save and test">
          <div className="form">
            <details>
              <summary>Test event (optional)</summary>
              <Field label="Test event JSON" hint="One Conversions API event. Leave empty for a sample Purchase.">
                {(id) => (
                  <textarea
                    id={id}
                    rows={5}
                    className="mono"
                    spellCheck={false}
                    value={testEvent}
                    onChange={(e) => setTestEvent(e.target.value)}
                  />
                )}
              </Field>
            </details>
            <div className="row">
              <button type="button" className="btn primary" disabled={busy !== null} onClick={() => void submit()}>
                {busy === 'save' ? 'Saving…' : 'Save'}
              </button>
              <button type="button" className="btn" disabled={busy !== null} onClick={() => void sendTest()}>
                {busy === 'test' ? 'Sending…' : dirty ? 'Save and send test event' : 'Send test event'}
              </button>
            </div>
            {result ? <TestEventView result={result} /> : null}
          </div>
        </Card>
      ) : null}
    </section>
  );
}

/** "the settings cannot be used: a; b; c" → [a, b, c]: each problem on a line of its own. */
function problemsIn(message: string): string[] {
  const listed = /^[^:;]+: (.+; .+)$/s.exec(message);
  return (listed?.[1] ?? message)
    .split(/;\s+|\n/)
    .map((x) => x.trim())
    .filter(Boolean);
}
