import { count, dateTime } from '../../../ui/format';
import { prettyJson } from './gql';

// One dead letter in full: why it failed, Meta's error and the event as it would be sent.

export interface DeadLetter {
  id: string;
  pixelId: string;
  eventName: string | null;
  eventId: string | null;
  reason: string | null;
  errorCode: number | null;
  errorSubcode: number | null;
  errorMessage: string | null;
  fbtraceId: string | null;
  attempts: number;
  createdAt: number;
  replayedAt: number | null;
  payload: string | null;
}

/** "Error 100.2804003: message", or '' when Meta gave nothing. */
export function metaError(d: DeadLetter): string {
  if (d.errorCode == null && !d.errorMessage) return '';
  const code = d.errorCode == null ? '' : `Error ${d.errorCode}${d.errorSubcode ? `.${d.errorSubcode}` : ''}`;
  return [code, d.errorMessage].filter(Boolean).join(': ');
}

export function DeadLetterDetail({ letter: d, pixelName }: { letter: DeadLetter; pixelName: string }) {
  return (
    <div className="dialog-body stack">
      <dl className="facts">
        <dt>Event</dt>
        <dd>
          {d.eventName || '(no name)'} <span className="mono break">{d.eventId}</span>
        </dd>
        <dt>Pixel</dt>
        <dd>
          {pixelName} <span className="mono">{pixelName === d.pixelId ? '' : d.pixelId}</span>
        </dd>
        <dt>Reason</dt>
        <dd>
          {d.reason === 'expired'
            ? 'Expired: it was too old to deliver before it could be sent.'
            : 'Rejected: Meta refused this event.'}
        </dd>
        <dt>Meta's error</dt>
        <dd>{metaError(d) || 'None given'}</dd>
        {d.fbtraceId ? (
          <>
            <dt>fbtrace id</dt>
            <dd className="mono">{d.fbtraceId}</dd>
          </>
        ) : null}
        <dt>Attempts</dt>
        <dd>{count(d.attempts)}</dd>
        <dt>Created</dt>
        <dd>{dateTime(d.createdAt)}</dd>
        <dt>Replayed</dt>
        <dd>{d.replayedAt ? dateTime(d.replayedAt) : 'never'}</dd>
      </dl>
      <section>
        <h3>The event</h3>
        {d.payload ? <pre className="json">{prettyJson(d.payload)}</pre> : <p className="muted">No payload stored.</p>}
      </section>
    </div>
  );
}
