import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { type MenuItem, RowMenu } from '../../../ui/controls';
import { ConfirmDialog } from '../../../ui/dialog';
import { Badge, Card } from '../../../ui/layout';
import { DestinationItem } from './destination-item';
import { GatewayPixelDialog } from './gateway-pixel';
import type { Messages } from './messages';
import { AddDestinationDialog, AddSourceDialog, CapiConfigDialog } from './pipeline-add-dialogs';
import {
  blockedOf,
  type DataDestination,
  type DataSource,
  type Pipeline,
  pipelineMutation,
  present,
  SOURCE_TYPES,
} from './pipeline-api';
import { FilterDialog, RenameDialog } from './pipeline-dialogs';

// One pipeline: its sources, its filter and its destinations. Managers change a gateway pipeline
// through the menus; of a Meta CAPI pipeline (a pixel connection) only the name may change.

type Open =
  | { kind: 'rename-pipeline' | 'delete-pipeline' | 'filter' | 'add-source' | 'add-destination' }
  | { kind: 'rename-source' | 'delete-source' | 'pixel'; source: DataSource }
  | { kind: 'rename-destination' | 'delete-destination' | 'destination-filter' | 'capi'; destination: DataDestination }
  | null;

export function PipelineCard({
  accountId,
  pipeline: p,
  canManage,
  windowLabel,
  messages,
  onChanged,
}: {
  accountId: string;
  pipeline: Pipeline;
  canManage: boolean;
  windowLabel: string;
  messages: Messages;
  onChanged(): void;
}) {
  const [open, setOpen] = useState<Open>(null);
  const navigate = useNavigate();
  const close = () => setOpen(null);
  const gateway = p.type !== 'META_CAPI_PIPELINE';
  const name = p.name || p.id;
  const sources = present(p.dataSources);
  const destinations = present(p.dataDestinations);
  const filters = present(p.pipelineDestinationFilters);
  const blocked = blockedOf(p.dataFilter?.blockedEventTypes);
  const done = (text: string) => {
    setOpen(null);
    messages.show('success', text);
    onChanged();
  };
  const run = (action: () => Promise<unknown>, text: string) =>
    void messages.run(action, text).then((ok) => ok && onChanged());
  const mutate = (group: Parameters<typeof pipelineMutation>[1], defs: string, field: string, vars: object) =>
    pipelineMutation(accountId, group, defs, field, vars as Record<string, unknown>);
  const updatePipeline = (input: { name?: string; active?: boolean }) =>
    mutate('dataPipelineMutations', '$input: PipelineInput!', 'updatePipeline(input: $input) { id }', {
      input: { id: p.id, ...input },
    });
  const updateSource = (s: DataSource, input: { name?: string; active?: boolean }) =>
    mutate('dataSourceMutations', '$input: DataSourceInput!', 'updateDataSource(input: $input) { id }', {
      input: { id: s.id, ...input },
    });
  const updateDestination = (d: DataDestination, input: { name?: string; active?: boolean }) =>
    mutate('dataDestinationMutations', '$input: DataDestinationInput!', 'updateDataDestination(input: $input) { id }', {
      input: { id: d.id, ...input },
    });

  const pipelineMenu: MenuItem[] = !canManage
    ? []
    : gateway
      ? [
          { label: 'Rename', onSelect: () => setOpen({ kind: 'rename-pipeline' }) },
          {
            label: p.active ? 'Deactivate' : 'Activate',
            onSelect: () =>
              run(
                () => updatePipeline({ active: !p.active }),
                `${name} is ${p.active ? 'deactivated: its events are no longer sent' : 'active'}.`,
              ),
          },
          { label: 'Edit pipeline filter', onSelect: () => setOpen({ kind: 'filter' }) },
          { label: 'Add source', onSelect: () => setOpen({ kind: 'add-source' }) },
          { label: 'Add destination', onSelect: () => setOpen({ kind: 'add-destination' }) },
          { label: 'Delete pipeline', danger: true, onSelect: () => setOpen({ kind: 'delete-pipeline' }) },
        ]
      : [{ label: 'Rename', onSelect: () => setOpen({ kind: 'rename-pipeline' }) }];
  const sourceMenu = (s: DataSource): MenuItem[] =>
    canManage && gateway
      ? [
          { label: 'Rename', onSelect: () => setOpen({ kind: 'rename-source', source: s }) },
          {
            label: s.active ? 'Deactivate' : 'Activate',
            onSelect: () =>
              run(() => updateSource(s, { active: !s.active }), `${s.name || s.id} is ${s.active ? 'off' : 'on'}.`),
          },
          { label: 'Remove', danger: true, onSelect: () => setOpen({ kind: 'delete-source', source: s }) },
        ]
      : [];
  const destinationMenu = (d: DataDestination): MenuItem[] =>
    canManage && gateway
      ? [
          { label: 'Rename', onSelect: () => setOpen({ kind: 'rename-destination', destination: d }) },
          {
            label: d.active ? 'Deactivate' : 'Activate',
            onSelect: () =>
              run(
                () => updateDestination(d, { active: !d.active }),
                `${d.name || d.id} is ${d.active ? 'off: nothing more is sent to it' : 'on'}.`,
              ),
          },
          { label: 'Edit filter', onSelect: () => setOpen({ kind: 'destination-filter', destination: d }) },
          ...(d.type === 'META_CONVERSIONS_API'
            ? [{ label: 'Dataset and token', onSelect: () => setOpen({ kind: 'capi', destination: d }) }]
            : []),
          { label: 'Remove', danger: true, onSelect: () => setOpen({ kind: 'delete-destination', destination: d }) },
        ]
      : [];
  const sourceOf = open && 'source' in open ? open.source : null;
  const destinationOf = open && 'destination' in open ? open.destination : null;

  return (
    <Card
      title={name}
      actions={
        <div className="card-tools">
          {p.active ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Inactive</Badge>}
          <RowMenu label={`Actions for pipeline ${name}`} items={pipelineMenu} />
        </div>
      }
    >
      <section className="stack" aria-label={`Pipeline ${name}`}>
        <p className="sub">
          <span className="mono break-all">{p.id}</span> · Pipeline filter:{' '}
          {blocked.length > 0 ? `blocks ${blocked.join(', ')}` : 'every event passes'}
        </p>
        <section>
          <h3>Sources</h3>
          {sources.length === 0 ? (
            <p className="muted">
              No source yet.{canManage ? ' Add one with the menu: a Signals Gateway pixel or file uploads.' : ''}
            </p>
          ) : (
            <ul className="plain-list">
              {sources.map((s) => (
                <li key={s.id} className="source-row">
                  <div className="dest-title">
                    <span className="strong break">{s.name || s.id}</span>
                    <span className="sub">
                      {SOURCE_TYPES[s.type ?? ''] ?? s.type} · <span className="mono break-all">{s.id}</span>
                    </span>
                  </div>
                  <div className="dest-tools">
                    {s.active === false ? <Badge tone="grey">Off</Badge> : null}
                    {s.type === 'ADVERTISER_HOSTED_PIXEL' ? (
                      <button
                        type="button"
                        className="btn small"
                        aria-label={`Set up ${s.name || s.id}`}
                        onClick={() => setOpen({ kind: 'pixel', source: s })}
                      >
                        Set up
                      </button>
                    ) : null}
                    {s.type === 'FILE_UPLOAD' && canManage ? (
                      <Link
                        className="btn small"
                        to={`/a/${encodeURIComponent(accountId)}/uploads?source=${encodeURIComponent(s.id)}`}
                      >
                        Upload a file
                      </Link>
                    ) : null}
                    <RowMenu label={`Actions for source ${s.name || s.id}`} items={sourceMenu(s)} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section>
          <h3>Destinations</h3>
          {destinations.length === 0 ? (
            <p className="muted">
              No destination yet.
              {canManage && gateway ? ' Add Meta or your own HTTP endpoint with the menu.' : ''}
            </p>
          ) : (
            <ul className="plain-list">
              {destinations.map((d) => (
                <DestinationItem
                  key={d.id}
                  accountId={accountId}
                  destination={d}
                  filter={filters.find((f) => f.destinationId === d.id)}
                  windowLabel={windowLabel}
                  menu={destinationMenu(d)}
                />
              ))}
            </ul>
          )}
        </section>
      </section>

      <RenameDialog
        what="pipeline"
        current={name}
        open={open?.kind === 'rename-pipeline'}
        onClose={close}
        save={async (next) => {
          await updatePipeline({ name: next });
          done(`The pipeline is now called ${next}.`);
        }}
      />
      <ConfirmDialog
        title="Delete pipeline"
        open={open?.kind === 'delete-pipeline'}
        onClose={close}
        confirmLabel="Delete"
        onConfirm={async () => {
          await mutate('dataPipelineMutations', '$id: ID!', 'deletePipeline(id: $id)', { id: p.id });
          done(`${name} was deleted.`);
        }}
      >
        Delete <strong>{name}</strong>? Its sources stop sending events to its destinations, and events still waiting
        for them are deleted. Past counts stay in the charts.
      </ConfirmDialog>
      <FilterDialog
        title="Pipeline filter"
        intro="Events of these types are not sent to any destination of this pipeline."
        current={blocked.join(', ')}
        open={open?.kind === 'filter'}
        onClose={close}
        save={async (list) => {
          await mutate(
            'dataPipelineMutations',
            '$input: PipelineFilterInput!',
            'updatePipelineFilter(input: $input) { blockedEventTypes }',
            { input: { pipelineId: p.id, filterStatus: list.length > 0, blockedEventTypes: list } },
          );
          done(list.length > 0 ? `${name} now blocks ${list.join(', ')}.` : `${name} lets every event through.`);
        }}
      />
      <FilterDialog
        title="Destination filter"
        intro={`Events of these types are not sent to ${destinationOf?.name || 'this destination'}; other destinations still get them.`}
        current={blockedOf(
          filters.find((f) => f.destinationId === destinationOf?.id)?.destinationFilterBlockedEventTypes,
        ).join(', ')}
        open={open?.kind === 'destination-filter'}
        onClose={close}
        save={async (list) => {
          if (!destinationOf) return;
          await mutate(
            'dataPipelineMutations',
            '$input: PipelineDestinationFilterInput!',
            'updatePipelineDestinationFilter(input: $input) { id }',
            {
              input: {
                pipelineId: p.id,
                destinationId: destinationOf.id,
                destinationFilterBlockedEventTypes: list,
                destinationFilterStatus: list.length > 0,
              },
            },
          );
          done(`The filter of ${destinationOf.name || destinationOf.id} is saved.`);
        }}
      />
      <RenameDialog
        what="source"
        current={sourceOf?.name ?? ''}
        open={open?.kind === 'rename-source'}
        onClose={close}
        save={async (next) => {
          if (sourceOf) await updateSource(sourceOf, { name: next });
          done(`The source is now called ${next}.`);
        }}
      />
      <ConfirmDialog
        title="Remove source"
        open={open?.kind === 'delete-source'}
        onClose={close}
        confirmLabel="Remove"
        onConfirm={async () => {
          if (!sourceOf) return;
          await mutate('dataSourceMutations', '$id: ID!', 'deleteDataSource(id: $id)', { id: sourceOf.id });
          done(`${sourceOf.name || sourceOf.id} was removed.`);
        }}
      >
        Remove <strong>{sourceOf?.name || sourceOf?.id}</strong>? Events sent to it afterwards are refused; its page
        code and access key stop working.
      </ConfirmDialog>
      <RenameDialog
        what="destination"
        current={destinationOf?.name ?? ''}
        open={open?.kind === 'rename-destination'}
        onClose={close}
        save={async (next) => {
          if (destinationOf) await updateDestination(destinationOf, { name: next });
          done(`The destination is now called ${next}.`);
        }}
      />
      <ConfirmDialog
        title="Remove destination"
        open={open?.kind === 'delete-destination'}
        onClose={close}
        confirmLabel="Remove"
        onConfirm={async () => {
          if (!destinationOf) return;
          await mutate('dataDestinationMutations', '$id: ID!', 'deleteDataDestination(id: $id)', {
            id: destinationOf.id,
          });
          done(`${destinationOf.name || destinationOf.id} was removed.`);
        }}
      >
        Remove <strong>{destinationOf?.name || destinationOf?.id}</strong>? Events still waiting for it are deleted; the
        pipeline's other destinations keep receiving theirs.
      </ConfirmDialog>
      <CapiConfigDialog
        accountId={accountId}
        destination={open?.kind === 'capi' ? open.destination : null}
        onClose={close}
        onDone={() => done('The dataset and token are saved.')}
      />
      <AddSourceDialog
        accountId={accountId}
        pipelineId={open?.kind === 'add-source' ? p.id : null}
        onClose={close}
        onDone={(s) => {
          done(`${s.name || s.id} was added.`);
          if (s.type === 'ADVERTISER_HOSTED_PIXEL') setOpen({ kind: 'pixel', source: { ...s, active: true } });
        }}
      />
      <AddDestinationDialog
        accountId={accountId}
        pipelineId={open?.kind === 'add-destination' ? p.id : null}
        onClose={close}
        onDone={(d) => {
          if (d.type === 'CUSTOM_HTTP_API') {
            navigate(`/a/${encodeURIComponent(accountId)}/pipelines/destinations/${encodeURIComponent(d.id)}`);
            return;
          }
          done(`${d.name || d.id} was added.`);
        }}
      />
      <GatewayPixelDialog
        accountId={accountId}
        source={open?.kind === 'pixel' ? open.source : null}
        canManage={canManage}
        onClose={close}
      />
    </Card>
  );
}
