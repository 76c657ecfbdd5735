import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { EmptyState, ErrorNote, Loading, Page } from '../../ui/layout';
import { useQuery } from '../../use-query';
import { useAccount } from './account-layout';
import { MessageLine, useMessages } from './parts/messages';
import { loadPipelines } from './parts/pipeline-api';
import { PipelineCard } from './parts/pipeline-card';
import { CreatePipelineDialog } from './parts/pipeline-dialogs';
import { useTimeWindow, WindowPicker } from './parts/time-window';
import './account.css';
import './pipelines.css';

// Pipelines in two tabs, as in Meta's gateway: Signals Gateway pipelines (sources of our own, to
// Meta datasets and custom HTTP endpoints) and Meta CAPI pipelines (one per connected pixel).

type Tab = 'gateway' | 'meta';

export function PipelinesPage() {
  const account = useAccount();
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get('tab') === 'meta' ? 'meta' : 'gateway';
  const [win, setWin] = useTimeWindow();
  const [creating, setCreating] = useState(false);
  const messages = useMessages();
  const pipelines = useQuery(() => loadPipelines(account.id, win.minutes), [account.id, win.minutes], 5000);
  const setTab = (next: Tab) =>
    setParams(
      (prev) => {
        const out = new URLSearchParams(prev);
        if (next === 'gateway') out.delete('tab');
        else out.set('tab', next);
        return out;
      },
      { replace: true },
    );
  const all = pipelines.data ?? [];
  const shown = all.filter((p) => (p.type === 'META_CAPI_PIPELINE') === (tab === 'meta'));
  const windowLabel = win.key === '1h' ? 'last hour' : `last ${win.label}`;
  const createButton =
    account.canManage && tab === 'gateway' ? (
      <button type="button" className="btn primary" onClick={() => setCreating(true)}>
        Create pipeline
      </button>
    ) : null;

  return (
    <Page
      title="Pipelines"
      intro="Where events go: each pipeline sends its sources' events to its destinations, except the event types its filters block."
      actions={<WindowPicker value={win} onChange={setWin} />}
    >
      <div className="tabs" role="tablist" aria-label="Kind of pipeline">
        <TabButton id="gateway" current={tab} onSelect={setTab}>
          Signals Gateway pipelines
        </TabButton>
        <TabButton id="meta" current={tab} onSelect={setTab}>
          Meta CAPI pipelines
        </TabButton>
      </div>
      <div className="stack" role="tabpanel" id={`tab-${tab}`} aria-labelledby={`tab-${tab}-button`}>
        <MessageLine messages={messages} />
        {pipelines.error ? <ErrorNote message={pipelines.error} onRetry={pipelines.reload} /> : null}
        {tab === 'gateway' && shown.length > 0 ? <div>{createButton}</div> : null}
        {pipelines.loading ? (
          <Loading what="pipelines" />
        ) : shown.length === 0 && !pipelines.error ? (
          <div className="card">
            {tab === 'gateway' ? (
              <EmptyState title="No Signals Gateway pipeline yet" action={createButton}>
                Create a pipeline, add a Signals Gateway pixel or file uploads as its source, and send its events to a
                Meta dataset or to your own HTTP endpoint.
                {account.canManage ? '' : ' Ask someone who manages this account to create one.'}
              </EmptyState>
            ) : (
              <EmptyState title="No Meta pixel connected">
                Each pixel connected on Overview appears here as a Meta CAPI pipeline: the pixel's events to Meta's
                Conversions API.
              </EmptyState>
            )}
          </div>
        ) : (
          shown.map((p) => (
            <PipelineCard
              key={p.id}
              accountId={account.id}
              pipeline={p}
              canManage={account.canManage}
              windowLabel={windowLabel}
              messages={messages}
              onChanged={pipelines.reload}
            />
          ))
        )}
      </div>
      <CreatePipelineDialog
        accountId={account.id}
        open={creating}
        onClose={() => setCreating(false)}
        onDone={(p) => {
          setCreating(false);
          messages.show(
            'success',
            `${p.name || 'The pipeline'} was created. Add a source and a destination with its menu.`,
          );
          pipelines.reload();
        }}
      />
    </Page>
  );
}

function TabButton({
  id,
  current,
  onSelect,
  children,
}: {
  id: Tab;
  current: Tab;
  onSelect(tab: Tab): void;
  children: React.ReactNode;
}) {
  return (
    <button
      type="button"
      role="tab"
      id={`tab-${id}-button`}
      aria-selected={current === id}
      aria-controls={`tab-${id}`}
      className="tab"
      onClick={() => onSelect(id)}
    >
      {children}
    </button>
  );
}
