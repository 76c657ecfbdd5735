import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Dialog } from '../../ui/dialog';
import { dateTime } from '../../ui/format';
import { Badge, Card, EmptyState, ErrorNote, Loading, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import { clock, prettyJson, tenantQuery } from './parts/gql';
import { PixelSelect, usePixels } from './parts/pixels';
import './account.css';

// A pixel's latest events as they pass through the gateway, refreshed every 3 seconds: what was
// sent to Meta and Meta's answer, or why an event was not sent.

interface LiveEvent {
  id: string;
  at: number;
  eventName: string | null;
  eventId: string | null;
  outcome: string;
  reason: string | null;
  payload: string | null;
  response: string | null;
}

const OUTCOME: Record<string, { tone: 'green' | 'grey' | 'amber' | 'red'; label: string }> = {
  PUBLISHED: { tone: 'green', label: 'Published' },
  DROPPED: { tone: 'grey', label: 'Dropped' },
  RETRYING: { tone: 'amber', label: 'Retrying' },
  DEAD_LETTERED: { tone: 'red', label: 'Dead-lettered' },
};

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const o = OUTCOME[outcome] ?? { tone: 'blue' as const, label: outcome.toLowerCase() };
  return <Badge tone={o.tone}>{o.label}</Badge>;
}

export function LiveEventsPage() {
  const account = useAccount();
  const pixels = usePixels(account.id, true);
  // ?lane= opens a destination's events (linked from Pipelines).
  const [params] = useSearchParams();
  const [pixel, setPixel] = useState(params.get('lane') ?? '');
  const [paused, setPaused] = useState(false);
  const [open, setOpen] = useState<LiveEvent | null>(null);
  const first = pixels.data?.[0]?.id ?? '';
  useEffect(() => {
    if (!pixel && first) setPixel(first);
  }, [pixel, first]);
  const events = useQuery(
    async () =>
      pixel
        ? (
            await tenantQuery<{ liveEvents: LiveEvent[] }>(
              account.id,
              '$p: String!',
              'liveEvents(pixelId: $p, limit: 50) { id at eventName eventId outcome reason payload response }',
              { p: pixel },
            )
          ).liveEvents
        : [],
    [account.id, pixel],
    paused ? undefined : 3000,
  );

  const pauseButton = (
    <button type="button" className="btn" aria-pressed={paused} onClick={() => setPaused(!paused)}>
      {paused ? 'Resume' : 'Pause'}
    </button>
  );
  const chosen = pixels.data?.find((p) => p.id === pixel);
  const toMeta = !chosen?.destinationType || chosen.destinationType === 'META_CONVERSIONS_API';
  const intro = "The pixel's latest events, newest first, with what was sent to Meta and Meta's answer.";
  if (pixels.error || !pixels.data || pixels.data.length === 0) {
    return (
      <Page title="Live events" intro={intro}>
        {pixels.error ? (
          <ErrorNote message={pixels.error} onRetry={pixels.reload} />
        ) : !pixels.data ? (
          <Loading what="pixels" />
        ) : (
          <Card>
            <EmptyState title="No pixel connected yet" action={<Link to="..">Go to Overview</Link>}>
              Connect a pixel on Overview; its events then show up here as they arrive.
            </EmptyState>
          </Card>
        )}
      </Page>
    );
  }
  // Newest first by the time shown (a retried event is listed again when its outcome changes).
  const list = [...(events.data ?? [])].sort((a, b) => b.at - a.at);
  return (
    <Page title="Live events" intro={intro} actions={pauseButton}>
      <Card
        title="Latest 50 events"
        actions={
          <div className="card-tools">
            <span className="muted live-state" role="status">
              {paused ? (
                <Badge tone="grey">Paused</Badge>
              ) : (
                <>
                  <span className="live-dot" aria-hidden="true" /> Updating every 3 s
                </>
              )}
            </span>
            <PixelSelect pixels={pixels.data} value={pixel} onChange={setPixel} />
          </div>
        }
      >
        {events.error ? <ErrorNote message={events.error} onRetry={events.reload} /> : null}
        {events.loading ? (
          <Loading what="live events" />
        ) : list.length === 0 ? (
          <EmptyState title="No events yet for this pixel: send one, it shows up here within seconds." />
        ) : (
          <table>
            <thead>
              <tr>
                <th>Time</th>
                <th>Event</th>
                <th className="hide-narrow">Event ID</th>
                <th>Outcome</th>
                <th className="hide-narrow">Reason</th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap" title={dateTime(e.at)}>
                    {clock(e.at)}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="link-button strong"
                      aria-haspopup="dialog"
                      onClick={() => setOpen(e)}
                    >
                      {e.eventName || '(no name)'}
                    </button>
                  </td>
                  <td className="hide-narrow mono truncate" title={e.eventId ?? ''}>
                    {e.eventId || '—'}
                  </td>
                  <td>
                    <OutcomeBadge outcome={e.outcome} />
                  </td>
                  <td className="hide-narrow reason">{e.reason || ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Dialog title="Event details" open={open !== null} onClose={() => setOpen(null)} wide>
        {open ? <EventDetail event={open} toMeta={toMeta} /> : null}
      </Dialog>
    </Page>
  );
}

function EventDetail({ event, toMeta }: { event: LiveEvent; toMeta: boolean }) {
  const where = toMeta ? 'Meta' : 'the destination';
  return (
    <div className="dialog-body stack">
      <div className="detail-head">
        <span className="strong">{event.eventName || '(no name)'}</span>
        <OutcomeBadge outcome={event.outcome} />
        <span className="muted">{dateTime(event.at)}</span>
      </div>
      {event.eventId ? (
        <p className="muted">
          Event ID <span className="mono break">{event.eventId}</span>
        </p>
      ) : null}
      {event.reason ? <p className="reason-box">{event.reason}</p> : null}
      <div className="side-by-side">
        <section>
          <h3>Sent to {where}</h3>
          {event.payload ? (
            <pre className="json">{prettyJson(event.payload)}</pre>
          ) : (
            <p className="muted">Nothing was sent.</p>
          )}
        </section>
        <section>
          <h3>{toMeta ? "Meta's answer" : "The destination's answer"}</h3>
          {event.response ? (
            <pre className="json">{prettyJson(event.response)}</pre>
          ) : (
            <p className="muted">
              {event.outcome === 'DROPPED'
                ? `Not sent to ${where}: ${event.reason || 'dropped by the gateway'}.`
                : `No answer yet: this event has not reached ${where}.`}
            </p>
          )}
        </section>
      </div>
    </div>
  );
}
