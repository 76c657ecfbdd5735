import { type FormEvent, useId, useState } from 'react';
import { count } from '../../ui/format';
import { Badge, Card, EmptyState, ErrorNote, Loading, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import { tenantMutation, tenantQuery } from './parts/gql';
import { MessageLine, useMessages } from './parts/messages';
import { useTimeWindow, WindowPicker } from './parts/time-window';
import './account.css';

// Which websites' events are published. Blocking is account-wide and covers subdomains.

type State = 'PUBLISH' | 'DROP' | 'MIXED';
interface Data {
  eventMetrics: {
    domainActivity: { domainName: string; receivedCount: number; publishedCount: number }[] | null;
  } | null;
  domainFilters: { domain: string; filterState: State }[];
}

export function WebsitesPage() {
  const account = useAccount();
  const [win, setWin] = useTimeWindow();
  const messages = useMessages();
  const [busy, setBusy] = useState<string | null>(null);
  const data = useQuery(
    () =>
      tenantQuery<Data>(
        account.id,
        '$w: Int!',
        `eventMetrics(timeWindowMin: $w) { domainActivity { domainName receivedCount publishedCount } }
         domainFilters { domain filterState }`,
        { w: win.minutes },
      ),
    [account.id, win.minutes],
    5000,
  );

  const activity = new Map((data.data?.eventMetrics?.domainActivity ?? []).map((d) => [d.domainName, d]));
  const filters = data.data?.domainFilters ?? [];
  const blocked = filters.filter((f) => f.filterState !== 'PUBLISH');
  const blockedNames = new Set(blocked.map((f) => f.domain));
  const permitted = [...activity.keys(), ...filters.filter((f) => f.filterState === 'PUBLISH').map((f) => f.domain)]
    .filter((d, i, all) => !blockedNames.has(d) && all.indexOf(d) === i)
    .map((d) => ({
      domain: d,
      received: activity.get(d)?.receivedCount ?? 0,
      published: activity.get(d)?.publishedCount ?? 0,
    }));

  const setFilter = async (domain: string, block: boolean) => {
    setBusy(domain);
    const ok = await messages.run(
      () =>
        tenantMutation(
          account.id,
          '$input: UpdateDomainFilterInput!',
          'updateDomainFilter(input: $input) { updatedFilter { domain filterState } }',
          { input: { domain, filterState: block ? 'DROP' : 'PUBLISH' } },
        ),
      block
        ? `${domain} is blocked: its events are still received but no longer published to Meta.`
        : `${domain} is permitted: its events are published to Meta.`,
    );
    setBusy(null);
    if (ok) data.reload();
    return ok;
  };

  return (
    <Page
      title="Websites"
      intro="Blocking a website means its events (and its subdomains') are still received but no longer published to Meta."
      actions={<WindowPicker value={win} onChange={setWin} />}
    >
      <MessageLine messages={messages} />
      {data.error ? <ErrorNote message={data.error} onRetry={data.reload} /> : null}
      {account.canManage ? <AddWebsite onAdd={setFilter} /> : null}
      <Card title="Permitted websites">
        {data.loading ? (
          <Loading what="websites" />
        ) : permitted.length === 0 ? (
          <EmptyState title="No website sent events in this period">
            Websites appear here with their counts as soon as their pages send events through the gateway.
          </EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Website</th>
                <th className="num">Received</th>
                <th className="num hide-narrow">Published</th>
                {account.canManage ? (
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {permitted.map((d) => (
                <tr key={d.domain}>
                  <td className="strong break">{d.domain}</td>
                  <td className="num">{count(d.received)}</td>
                  <td className="num hide-narrow">{count(d.published)}</td>
                  {account.canManage ? (
                    <td className="actions">
                      <button
                        type="button"
                        className="btn small"
                        aria-label={`Block ${d.domain}`}
                        disabled={busy === d.domain}
                        onClick={() => void setFilter(d.domain, true)}
                      >
                        Block
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Blocked websites">
        {data.loading ? (
          <Loading what="blocked websites" />
        ) : blocked.length === 0 ? (
          <EmptyState title="No website is blocked">
            {account.canManage
              ? 'Block a website above, or with its Block button, to stop publishing its events to Meta.'
              : 'Every website’s events are published to Meta.'}
          </EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Website</th>
                <th className="num">Received</th>
                <th className="hide-narrow">State</th>
                {account.canManage ? (
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {blocked.map((f) => (
                <tr key={f.domain}>
                  <td className="strong break">{f.domain}</td>
                  <td className="num">{count(activity.get(f.domain)?.receivedCount ?? 0)}</td>
                  <td className="hide-narrow">
                    {f.filterState === 'MIXED' ? (
                      <Badge tone="amber">Blocked for some pixels</Badge>
                    ) : (
                      <Badge tone="grey">Not published</Badge>
                    )}
                  </td>
                  {account.canManage ? (
                    <td className="actions">
                      <button
                        type="button"
                        className="btn small"
                        aria-label={`Unblock ${f.domain}`}
                        disabled={busy === f.domain}
                        onClick={() => void setFilter(f.domain, false)}
                      >
                        Unblock
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </Page>
  );
}

function AddWebsite({ onAdd }: { onAdd(domain: string, block: boolean): Promise<boolean> }) {
  const [domain, setDomain] = useState('');
  const [list, setList] = useState<'blocked' | 'permitted'>('blocked');
  const [busy, setBusy] = useState(false);
  const domainId = useId();
  const listId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    if (await onAdd(domain.trim(), list === 'blocked')) setDomain('');
    setBusy(false);
  };
  return (
    <Card title="Add website">
      <form className="inline-form" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor={domainId}>Domain</label>
          <input
            id={domainId}
            required
            placeholder="shop.example.com"
            value={domain}
            onChange={(e) => setDomain(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={listId}>Add to</label>
          <select id={listId} value={list} onChange={(e) => setList(e.target.value as 'blocked' | 'permitted')}>
            <option value="blocked">Blocked websites</option>
            <option value="permitted">Permitted websites</option>
          </select>
        </div>
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add website'}
        </button>
      </form>
    </Card>
  );
}
