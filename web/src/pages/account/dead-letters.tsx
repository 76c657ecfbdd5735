import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Dialog } from '../../ui/dialog';
import { ago, count, dateTime } from '../../ui/format';
import { Badge, Card, EmptyState, ErrorNote, Loading, Page } from '../../ui/layout';
import { useAccount } from './account-layout';
import { type DeadLetter, DeadLetterDetail, metaError } from './parts/dead-letter-detail';
import { tenantMutation, tenantQuery } from './parts/gql';
import { MessageLine, useMessages } from './parts/messages';
import { PixelSelect, usePixels } from './parts/pixels';
import './account.css';

// Events the gateway could not deliver (Meta refused them, or they grew too old), 50 at a time,
// with a way to send chosen ones again once the cause is fixed.

const FIELDS =
  'items { id pixelId eventName eventId reason errorCode errorSubcode errorMessage fbtraceId attempts createdAt replayedAt payload } nextBefore';

export function DeadLettersPage() {
  const account = useAccount();
  const pixels = usePixels(account.id, true);
  const messages = useMessages();
  // ?lane= opens a destination's dead letters (linked from Pipelines).
  const [params] = useSearchParams();
  const [pixel, setPixel] = useState(params.get('lane') ?? '');
  const [items, setItems] = useState<DeadLetter[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<DeadLetter | null>(null);
  const [replaying, setReplaying] = useState(false);
  const [lastBefore, setLastBefore] = useState<string | null>(null);

  const load = useCallback(
    async (before: string | null) => {
      setLoading(true);
      setError(null);
      setLastBefore(before);
      try {
        const data = await tenantQuery<{ deadLetters: { items: DeadLetter[]; nextBefore: string | null } | null }>(
          account.id,
          '$p: [String!], $before: ID',
          `deadLetters(pixelIds: $p, limit: 50, before: $before) { ${FIELDS} }`,
          { p: pixel ? [pixel] : null, before },
        );
        const page = data.deadLetters?.items ?? [];
        setItems((old) => (before && old ? [...old, ...page] : page));
        setNext(data.deadLetters?.nextBefore ?? null);
        if (!before) setSelected(new Set());
      } catch (err) {
        setError((err as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [account.id, pixel],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const out = new Set(s);
      if (on) out.add(id);
      else out.delete(id);
      return out;
    });
  const all = items ?? [];
  const allSelected = all.length > 0 && all.every((d) => selected.has(d.id));
  const replay = async () => {
    const ids = [...selected];
    setReplaying(true);
    let queued = 0;
    const ok = await messages.run(async () => {
      const data = await tenantMutation<{ replayDeadLetters: { replayed: number } | null }>(
        account.id,
        '$ids: [ID!]!',
        'replayDeadLetters(ids: $ids) { replayed }',
        { ids },
      );
      queued = data.replayDeadLetters?.replayed ?? 0;
    });
    setReplaying(false);
    if (ok) {
      messages.show(
        'success',
        `${count(queued)} ${queued === 1 ? 'event was' : 'events were'} queued to be sent to Meta again.`,
      );
      void load(null);
    }
  };
  const pixelName = (id: string) => pixels.data?.find((p) => p.id === id)?.name || id;

  return (
    <Page
      title="Dead letters"
      intro="Events the gateway could not deliver: Meta rejected them, or they were too old to send. Fix the cause, then send them again."
    >
      <MessageLine messages={messages} />
      <Card
        title="Undelivered events"
        actions={
          <div className="card-tools">
            {account.canManage && all.length > 0 ? (
              <button
                type="button"
                className="btn small primary"
                disabled={selected.size === 0 || replaying}
                onClick={() => void replay()}
              >
                {replaying ? 'Re-sending…' : `Re-send selected${selected.size > 0 ? ` (${selected.size})` : ''}`}
              </button>
            ) : null}
            <button type="button" className="btn small" onClick={() => void load(null)} disabled={loading}>
              Refresh
            </button>
            <PixelSelect pixels={pixels.data ?? []} value={pixel} onChange={setPixel} allowAll />
          </div>
        }
      >
        {error ? <ErrorNote message={error} onRetry={() => void load(lastBefore)} /> : null}
        {items === null ? (
          loading ? (
            <Loading what="dead letters" />
          ) : null
        ) : items.length === 0 ? (
          <EmptyState title="No dead letters">
            An event lands here when Meta rejects it or it grows too old to deliver. Nothing has failed
            {pixel ? ' for this pixel' : ''}.
          </EmptyState>
        ) : (
          <>
            <table>
              <thead>
                <tr>
                  {account.canManage ? (
                    <th className="check">
                      <input
                        type="checkbox"
                        aria-label="Select all"
                        checked={allSelected}
                        onChange={(e) => setSelected(e.target.checked ? new Set(all.map((d) => d.id)) : new Set())}
                      />
                    </th>
                  ) : null}
                  <th>Event</th>
                  <th className="hide-narrow">Pixel</th>
                  <th>Reason</th>
                  <th className="hide-narrow">Meta's error</th>
                  <th className="num hide-narrow">Attempts</th>
                  <th className="hide-narrow">Created</th>
                  <th className="hide-narrow">Replayed</th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <tr key={d.id}>
                    {account.canManage ? (
                      <td className="check">
                        <input
                          type="checkbox"
                          aria-label={`Select ${d.eventName || 'event'} ${d.eventId || d.id}`}
                          checked={selected.has(d.id)}
                          onChange={(e) => toggle(d.id, e.target.checked)}
                        />
                      </td>
                    ) : null}
                    <td>
                      <button
                        type="button"
                        className="link-button strong"
                        aria-haspopup="dialog"
                        onClick={() => setOpen(d)}
                      >
                        {d.eventName || '(no name)'}
                      </button>
                      <div className="sub mono truncate">{d.eventId}</div>
                    </td>
                    <td className="hide-narrow">{pixelName(d.pixelId)}</td>
                    <td>
                      {d.reason === 'expired' ? (
                        <Badge tone="amber">Expired</Badge>
                      ) : (
                        <Badge tone="red">Rejected</Badge>
                      )}
                    </td>
                    <td className="hide-narrow reason">
                      {metaError(d) || '—'}
                      {d.fbtraceId ? <div className="sub mono">fbtrace {d.fbtraceId}</div> : null}
                    </td>
                    <td className="num hide-narrow">{count(d.attempts)}</td>
                    <td className="hide-narrow nowrap" title={dateTime(d.createdAt)}>
                      {ago(d.createdAt)}
                    </td>
                    <td className="hide-narrow nowrap" title={d.replayedAt ? dateTime(d.replayedAt) : ''}>
                      {d.replayedAt ? ago(d.replayedAt) : 'never'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="pager">
              <span className="muted">{count(items.length)} shown</span>
              {next ? (
                <button type="button" className="btn small" disabled={loading} onClick={() => void load(next)}>
                  {loading ? 'Loading…' : 'Load more'}
                </button>
              ) : null}
            </div>
          </>
        )}
      </Card>
      <Dialog title="Dead letter" open={open !== null} onClose={() => setOpen(null)} wide>
        {open ? <DeadLetterDetail letter={open} pixelName={pixelName(open.pixelId)} /> : null}
      </Dialog>
    </Page>
  );
}
