import { useEffect, useState } from 'react';
import { Switch } from '../../ui/controls';
import { ago, count } from '../../ui/format';
import { Badge, Card, EmptyState, ErrorNote, Loading, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import { tenantMutation, tenantQuery } from './parts/gql';
import { MessageLine, useMessages } from './parts/messages';
import { PixelSelect, usePixels } from './parts/pixels';
import { useTimeWindow, WindowPicker } from './parts/time-window';
import './account.css';

// Per event name: what came in, what went to Meta, and a switch that stops publishing it.

type FilterState = 'PUBLISH' | 'DROP' | 'MIXED';
interface Row {
  name: string;
  received: number;
  published: number;
  lastUpdated: number;
  state: FilterState;
}
const PAGE = 20;

export function EventActivityPage() {
  const account = useAccount();
  const [win, setWin] = useTimeWindow();
  const [pixel, setPixel] = useState('');
  const [page, setPage] = useState(0);
  // Switch positions the server has not confirmed: a failed change drops its entry (the switch flips
  // back); a done one is dropped when the next answer, read after the change, arrives.
  const [pending, setPending] = useState<Map<string, { state: FilterState; done: boolean }>>(new Map());
  const messages = useMessages();
  const pixels = usePixels(account.id);
  const pixelIds = pixel ? [pixel] : null;
  const data = useQuery(
    () =>
      tenantQuery<{
        eventMetrics: {
          activity: { name: string; receivedCount: number; publishedCount: number; lastUpdated: string }[] | null;
        } | null;
        eventFilters: { eventName: string; filterState: FilterState }[];
      }>(
        account.id,
        '$w: Int!, $p: [String!]',
        `eventMetrics(pixelIds: $p, timeWindowMin: $w) { activity { name receivedCount publishedCount lastUpdated } }
         eventFilters(pixelIds: $p) { eventName filterState }`,
        { w: win.minutes, p: pixelIds },
      ),
    [account.id, win.minutes, pixel],
    5000,
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new pixel or period starts on page 1
  useEffect(() => setPage(0), [pixel, win.key]);
  useEffect(() => {
    if (data.data) setPending((m) => new Map([...m].filter(([, p]) => !p.done)));
  }, [data.data]);

  const rows = mergeRows(data.data);
  const shown = rows.slice(page * PAGE, (page + 1) * PAGE);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));

  const toggle = async (row: Row, on: boolean) => {
    const next: FilterState = on ? 'PUBLISH' : 'DROP';
    setPending((m) => new Map(m).set(row.name, { state: next, done: false }));
    const ok = await messages.run(
      () =>
        tenantMutation(
          account.id,
          '$input: UpdateEventFilterInput!',
          'updateEventFilter(input: $input) { updatedFilter { eventName filterState } }',
          { input: { eventName: row.name, filterState: next, pixelIds } },
        ),
      `${row.name} is ${on ? 'published to Meta again' : 'no longer published to Meta (still received)'}${pixel ? ` for pixel ${pixel}` : ''}.`,
    );
    setPending((m) => {
      const out = new Map(m);
      if (ok) out.set(row.name, { state: next, done: true });
      else out.delete(row.name);
      return out;
    });
    if (ok) data.reload();
  };

  return (
    <Page
      title="Event activity"
      intro="Events by name. Turn publishing off for an event to keep receiving it without sending it to Meta."
      actions={<WindowPicker value={win} onChange={setWin} />}
    >
      <MessageLine messages={messages} />
      {pixels.error ? <ErrorNote message={`The pixels could not be loaded: ${pixels.error}`} /> : null}
      <Card
        title="Events"
        actions={<PixelSelect pixels={pixels.data ?? []} value={pixel} onChange={setPixel} allowAll />}
      >
        {data.error ? <ErrorNote message={data.error} onRetry={data.reload} /> : null}
        {data.loading ? (
          <Loading what="event activity" />
        ) : rows.length === 0 ? (
          <EmptyState title="No events in this period">
            Events appear here, by name, as soon as the pixel sends them. Pick a longer period, or check on Overview
            that a pixel is connected and receiving.
          </EmptyState>
        ) : (
          <>
            <table>
              <thead>
                <tr>
                  <th>Event</th>
                  <th className="num">Received</th>
                  <th className="num">Published</th>
                  <th>Publishing</th>
                  <th className="hide-narrow">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((row) => {
                  const wait = pending.get(row.name);
                  const state = wait?.state ?? row.state;
                  return (
                    <tr key={row.name}>
                      <td className="strong break">{row.name}</td>
                      <td className="num">{count(row.received)}</td>
                      <td className="num">{count(row.published)}</td>
                      <td>
                        <div className="switch-cell">
                          {account.canManage ? (
                            <Switch
                              checked={state !== 'DROP'}
                              label={`Publishing for ${row.name}`}
                              disabled={wait !== undefined && !wait.done}
                              onChange={(on) => void toggle(row, on)}
                            />
                          ) : (
                            <span>{state === 'DROP' ? 'Off' : 'On'}</span>
                          )}
                          {state === 'MIXED' ? (
                            <span title="Some pixels publish this event and others do not">
                              <Badge tone="amber">Mixed</Badge>
                            </span>
                          ) : null}
                        </div>
                      </td>
                      <td className="hide-narrow">{row.lastUpdated ? ago(row.lastUpdated) : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {rows.length > PAGE ? (
              <div className="pager">
                <span className="muted">
                  Page {page + 1} of {pages} · {count(rows.length)} events
                </span>
                <button type="button" className="btn small" disabled={page === 0} onClick={() => setPage(page - 1)}>
                  Previous
                </button>
                <button
                  type="button"
                  className="btn small"
                  disabled={page >= pages - 1}
                  onClick={() => setPage(page + 1)}
                >
                  Next
                </button>
              </div>
            ) : null}
          </>
        )}
      </Card>
    </Page>
  );
}

/** Traffic rows plus filtered events without traffic, so a switched-off event can be switched on. */
function mergeRows(
  data:
    | {
        eventMetrics: {
          activity: { name: string; receivedCount: number; publishedCount: number; lastUpdated: string }[] | null;
        } | null;
        eventFilters: { eventName: string; filterState: FilterState }[];
      }
    | undefined,
): Row[] {
  if (!data) return [];
  const states = new Map(data.eventFilters.map((f) => [f.eventName, f.filterState]));
  const rows: Row[] = (data.eventMetrics?.activity ?? []).map((a) => ({
    name: a.name,
    received: a.receivedCount,
    published: a.publishedCount,
    lastUpdated: Number(a.lastUpdated) || 0,
    state: states.get(a.name) ?? 'PUBLISH',
  }));
  const seen = new Set(rows.map((r) => r.name));
  for (const [name, state] of states) {
    if (!seen.has(name) && state !== 'PUBLISH') rows.push({ name, received: 0, published: 0, lastUpdated: 0, state });
  }
  return rows;
}
