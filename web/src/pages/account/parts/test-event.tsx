import { Badge, Notice } from '../../../ui/layout';
import { prettyJson } from './gql';

// What "Send test event" did: the request as the gateway rendered and sent it (auth values
// masked by the gateway) and the destination's answer, or why nothing was sent or answered.

export interface TestEventResult {
  request: { method: string | null; url: string | null; headers: string | null; body: string | null } | null;
  response: { status: number | null; headers: string | null; body: string | null } | null;
  error: string | null;
}
export const TEST_EVENT_FIELDS = 'request { method url headers body } response { status headers body } error';

/** "name: value" lines from a JSON object of headers; anything else as it came. */
function headerLines(json: string | null): string {
  if (!json) return '';
  try {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    return Object.entries(parsed)
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
      .join('\n');
  } catch {
    return json;
  }
}

export function TestEventView({ result }: { result: TestEventResult }) {
  const { request, response, error } = result;
  const status = response?.status ?? null;
  const tone = status === null ? 'grey' : status < 300 ? 'green' : status < 500 ? 'amber' : 'red';
  return (
    <section className="stack" aria-label="Test event result">
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="side-by-side">
        <section aria-label="Request sent">
          <h3>Request sent</h3>
          {request ? (
            <>
              <p className="mono break-all">
                <span className="strong">{request.method}</span> {request.url}
              </p>
              {request.headers ? <pre className="json wrap">{headerLines(request.headers)}</pre> : null}
              <h3 className="spaced">Body</h3>
              {request.body ? (
                <pre className="json wrap">{prettyJson(request.body)}</pre>
              ) : (
                <p className="muted">No body.</p>
              )}
            </>
          ) : (
            <p className="muted">Nothing was sent.</p>
          )}
        </section>
        <section aria-label="Destination's answer">
          <h3>Destination's answer</h3>
          {response ? (
            <>
              <p>
                <Badge tone={tone}>HTTP {status ?? '—'}</Badge>
              </p>
              {response.headers ? <pre className="json wrap">{headerLines(response.headers)}</pre> : null}
              <h3 className="spaced">Body</h3>
              {response.body ? (
                <pre className="json wrap">{prettyJson(response.body)}</pre>
              ) : (
                <p className="muted">Empty body.</p>
              )}
            </>
          ) : (
            <p className="muted">No answer came.</p>
          )}
        </section>
      </div>
    </section>
  );
}
