import { Link } from 'react-router';
import { type MenuItem, RowMenu } from '../../../ui/controls';
import { ago, count } from '../../../ui/format';
import { Badge } from '../../../ui/layout';
import { blockedOf, DESTINATION_TYPES, type DataDestination, type DestinationFilter } from './pipeline-api';

// One destination of a pipeline: what it is, whether it is on, what its filter blocks, its counts
// over the window and its last error, with links to its live events and dead letters (its lane).

export function DestinationItem({
  accountId,
  destination: d,
  filter,
  windowLabel,
  menu,
}: {
  accountId: string;
  destination: DataDestination;
  filter: DestinationFilter | undefined;
  /** "last hour", "last 24 hours" */
  windowLabel: string;
  /** Empty for people who may not change it. */
  menu: MenuItem[];
}) {
  const name = d.name || d.id;
  const blocked = blockedOf(filter?.destinationFilterBlockedEventTypes);
  const stats = d.stats;
  const base = `/a/${encodeURIComponent(accountId)}`;
  const lane = d.lane ? `?lane=${encodeURIComponent(d.lane)}` : '';
  const target =
    d.type === 'META_CONVERSIONS_API'
      ? d.metaCAPIConfig?.dataSetId
        ? `Dataset ${d.metaCAPIConfig.dataSetId}`
        : 'No dataset set'
      : d.type === 'CUSTOM_HTTP_API'
        ? d.httpConfig?.endpoint
          ? `${d.httpConfig.httpMethod ?? 'POST'} ${d.httpConfig.endpoint}`
          : 'Not configured yet'
        : '';
  const lastError = stats?.lastErrorCode || stats?.lastErrorMessage;
  return (
    <li className="dest" aria-label={`Destination ${name}`}>
      <div className="dest-head">
        <div className="dest-title">
          <span className="strong break">{name}</span>
          <span className="sub">
            {DESTINATION_TYPES[d.type ?? ''] ?? d.type} · <span className="mono break-all">{target || d.id}</span>
          </span>
        </div>
        <div className="dest-tools">
          {d.active ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Inactive</Badge>}
          <RowMenu label={`Actions for destination ${name}`} items={menu} />
        </div>
      </div>
      <dl className="dest-stats" aria-label={`Counts of ${name}`}>
        <div>
          <dt>Queued</dt>
          <dd>{count(stats?.queued)}</dd>
        </div>
        <div>
          <dt>Published</dt>
          <dd>{count(stats?.published)}</dd>
        </div>
        <div>
          <dt>Dead-lettered</dt>
          <dd>{count(stats?.deadLettered)}</dd>
        </div>
      </dl>
      <p className="sub">
        Published and dead-lettered in the {windowLabel}. Filter:{' '}
        {blocked.length > 0 ? `blocks ${blocked.join(', ')}` : 'every event passes'}.
      </p>
      {lastError ? (
        <p className="problem red">
          Last error{stats?.lastErrorAt ? ` (${ago(Date.parse(stats.lastErrorAt))})` : ''}
          {stats?.lastErrorCode ? `, ${stats.lastErrorCode}` : ''}: {stats?.lastErrorMessage || 'no message given'}
        </p>
      ) : null}
      <div className="dest-links">
        {d.type === 'CUSTOM_HTTP_API' ? (
          <Link to={`${base}/pipelines/destinations/${encodeURIComponent(d.id)}`} aria-label={`Configure ${name}`}>
            {menu.length > 0 ? 'Configure' : 'Settings'}
          </Link>
        ) : null}
        {d.lane ? (
          <>
            <Link to={`${base}/live${lane}`} aria-label={`Live events of ${name}`}>
              Live events
            </Link>
            <Link to={`${base}/dead-letters${lane}`} aria-label={`Dead letters of ${name}`}>
              Dead letters
            </Link>
          </>
        ) : null}
      </div>
    </li>
  );
}
