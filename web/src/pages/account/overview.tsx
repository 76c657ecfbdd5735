import { useState } from 'react';
import { count, percent } from '../../ui/format';
import { Card, EmptyState, ErrorNote, Loading, Notice, Page, Tile } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import { AddDataSourceDialog } from './parts/add-data-source';
import { CONNECTION_FIELDS, type ConnectionStatus, DataSourcesTable } from './parts/data-sources';
import { tenantQuery } from './parts/gql';
import { MessageLine, useMessages } from './parts/messages';
import { useTimeWindow, WindowPicker } from './parts/time-window';
import { TimelineChart, type TimelinePoint } from './parts/timeline-chart';
import './account.css';

// The account's home: traffic tiles, received vs published over time, and its pixels.

interface OverviewData {
  account: { signalConfigs: { connectionStatus: ConnectionStatus | null }[] | null } | null;
  eventMetrics: {
    incoming: { eventsCount: number } | null;
    outgoing: { eventsCount: number; publishSuccessRate: number } | null;
  } | null;
}

export function OverviewPage() {
  const account = useAccount();
  const [win, setWin] = useTimeWindow();
  const [adding, setAdding] = useState(false);
  const messages = useMessages();
  const overview = useQuery(
    () =>
      tenantQuery<OverviewData>(
        account.id,
        '$w: Int!',
        `account(timeWindowMin: $w) { signalConfigs { connectionStatus { ${CONNECTION_FIELDS} } } }
         eventMetrics(timeWindowMin: $w) { incoming { eventsCount } outgoing { eventsCount publishSuccessRate } }`,
        { w: win.minutes },
      ),
    [account.id, win.minutes],
    5000,
  );
  // Its own request: a failing chart must not hide the tiles and the pixels.
  const timeline = useQuery(
    () =>
      tenantQuery<{ eventTimeline: TimelinePoint[] }>(
        account.id,
        '$w: Int!',
        'eventTimeline(timeWindowMin: $w) { at received published dropped }',
        { w: win.minutes },
      ),
    [account.id, win.minutes],
    5000,
  );

  const sources = (overview.data?.account?.signalConfigs ?? []).flatMap((c) =>
    c.connectionStatus ? [c.connectionStatus] : [],
  );
  const metrics = overview.data?.eventMetrics;
  const received = metrics?.incoming?.eventsCount ?? 0;
  const addButton = account.canManage ? (
    <button type="button" className="btn primary" onClick={() => setAdding(true)}>
      Add data source
    </button>
  ) : null;

  return (
    <Page
      title="Overview"
      intro={`${account.name}: events received and published to Meta.`}
      actions={<WindowPicker value={win} onChange={setWin} />}
    >
      {account.status === 2 ? (
        <Notice kind="warning">This account is deactivated: the gateway drops its events until it is activated.</Notice>
      ) : null}
      <MessageLine messages={messages} />
      {overview.error ? <ErrorNote message={overview.error} onRetry={overview.reload} /> : null}
      {overview.loading ? (
        <Loading what="the overview" />
      ) : (
        <div className="tiles compact">
          <Tile
            label="Events received"
            value={metrics ? count(received) : '—'}
            hint={win.key === '1h' ? 'in the last hour' : `in the last ${win.label}`}
          />
          <Tile
            label="Events published"
            value={metrics ? count(metrics.outgoing?.eventsCount) : '—'}
            hint="sent to Meta"
          />
          <Tile
            label="Publish success rate"
            value={metrics && received > 0 ? percent(metrics.outgoing?.publishSuccessRate) : '—'}
            hint={received > 0 ? 'of events meant for Meta' : 'no events in this period'}
          />
        </div>
      )}
      <Card title="Received vs published">
        {timeline.error ? (
          <ErrorNote message={`The chart could not be loaded: ${timeline.error}`} onRetry={timeline.reload} />
        ) : timeline.loading ? (
          <Loading what="the chart" />
        ) : (timeline.data?.eventTimeline ?? []).length === 0 ? (
          <p className="muted chart-empty">No events in this period yet. The chart fills in as events arrive.</p>
        ) : (
          <TimelineChart
            points={timeline.data?.eventTimeline ?? []}
            minutes={win.minutes}
            label={`Events received and published, ${win.label.toLowerCase()}`}
          />
        )}
      </Card>
      <Card title="Connected data sources" actions={sources.length > 0 ? addButton : null}>
        {overview.loading ? (
          <Loading what="data sources" />
        ) : sources.length === 0 && !overview.error ? (
          <EmptyState title="No pixel connected yet" action={addButton}>
            Connect a Meta pixel with its ID and an access token from Events Manager. The gateway then receives the
            pixel's events on your domain and publishes them to Meta's Conversions API.
            {account.canManage ? '' : ' Ask someone who manages this account to connect one.'}
          </EmptyState>
        ) : (
          <DataSourcesTable
            accountId={account.id}
            sources={sources}
            canManage={account.canManage}
            messages={messages}
            onChanged={overview.reload}
          />
        )}
      </Card>
      <AddDataSourceDialog
        accountId={account.id}
        open={adding}
        onClose={() => setAdding(false)}
        onDone={(pixelId, name) => {
          setAdding(false);
          messages.show(
            'success',
            `${name ? `${name} (${pixelId})` : `Pixel ${pixelId}`} is connected. Use its menu to get the server-events access key.`,
          );
          overview.reload();
        }}
      />
    </Page>
  );
}
