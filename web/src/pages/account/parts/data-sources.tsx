import { Fragment, useState } from 'react';
import { RowMenu } from '../../../ui/controls';
import { ago, count } from '../../../ui/format';
import { Badge } from '../../../ui/layout';
import { AccessKeyDialog, RemoveDialog, ReplaceTokenDialog } from './data-source-dialogs';
import { tenantMutation } from './gql';
import type { Messages } from './messages';

// "Connected data sources" on Overview: one row per pixel, its problems in words underneath,
// and (for managers) a menu with the switches, the server-events key, the token and removal.

export interface ConnectionStatus {
  pixelID: string;
  pixelName: string;
  active: boolean;
  publishingEnabled: boolean;
  eventBridgeActive: boolean;
  accessTokenAvailable: boolean;
  accessTokenVerified: boolean;
  badToken: boolean;
  apiErrorCode: string | null;
  apiErrorMessage: string | null;
  totalEventsReceived: number;
  totalEventsPublished: number;
  totalEventsDiscarded: number;
  lastReceived: number;
  lastPublished: number;
}

export const CONNECTION_FIELDS =
  'pixelID pixelName active publishingEnabled eventBridgeActive accessTokenAvailable accessTokenVerified badToken ' +
  'apiErrorCode apiErrorMessage totalEventsReceived totalEventsPublished totalEventsDiscarded lastReceived lastPublished';

export const pixelTitle = (c: ConnectionStatus) => c.pixelName || c.pixelID;

/** What is wrong with a pixel, in sentences a person can act on. */
export function problemsOf(c: ConnectionStatus): { tone: 'red' | 'amber'; text: string }[] {
  const out: { tone: 'red' | 'amber'; text: string }[] = [];
  if (!c.active) {
    const n = c.totalEventsDiscarded;
    out.push({
      tone: 'amber',
      text: `Receiving is off: events sent to this pixel are discarded, not received or published${
        n > 0 ? ` (${count(n)} discarded in this period)` : ''
      }.`,
    });
  }
  if (!c.accessTokenAvailable) out.push({ tone: 'red', text: 'No access token: events cannot be published.' });
  else if (c.badToken)
    out.push({
      tone: 'red',
      text: 'Meta rejected the access token. Events are held until you replace it (menu → Replace access token).',
    });
  else if (!c.accessTokenVerified)
    out.push({
      tone: 'amber',
      text: 'The access token is not verified yet: Meta could not be reached when it was saved.',
    });
  if (c.apiErrorCode || c.apiErrorMessage) {
    const code = c.apiErrorCode ? ` (error ${c.apiErrorCode})` : '';
    // Meta's message may repeat the code in front; say it once.
    let message = c.apiErrorMessage?.trim() || 'no message given';
    if (c.apiErrorCode && message.startsWith(c.apiErrorCode)) message = message.slice(c.apiErrorCode.length).trim();
    out.push({ tone: 'red', text: `Meta's last error${code}: ${message}` });
  }
  return out;
}

type Open = { kind: 'key' | 'token' | 'remove'; pixel: ConnectionStatus } | null;

export function DataSourcesTable({
  accountId,
  sources,
  canManage,
  messages,
  onChanged,
}: {
  accountId: string;
  sources: ConnectionStatus[];
  canManage: boolean;
  messages: Messages;
  onChanged(): void;
}) {
  const [open, setOpen] = useState<Open>(null);
  const setSwitch = (c: ConnectionStatus, which: 'receiving' | 'publishing', on: boolean) => {
    const field = which === 'receiving' ? 'updateSignalConfigEventsStatus' : 'updateSignalConfigCapiPublish';
    const done =
      which === 'receiving'
        ? `${pixelTitle(c)} ${on ? 'receives events again' : 'is deactivated: its events are no longer received'}.`
        : `Publishing to Meta is ${on ? 'on' : 'off'} for ${pixelTitle(c)}.`;
    void messages
      .run(
        () =>
          tenantMutation(
            accountId,
            '$id: ID!, $status: Int!',
            `signalMutations { ${field}(id: $id, input: { status: $status }) { success } }`,
            { id: c.pixelID, status: on ? 1 : 0 },
          ),
        done,
      )
      .then(onChanged);
  };
  const close = () => setOpen(null);
  const done = (text: string) => {
    setOpen(null);
    messages.show('success', text);
    onChanged();
  };

  return (
    <>
      <table className="sources">
        <thead>
          <tr>
            <th>Data source</th>
            <th>Receiving</th>
            <th>Publishing</th>
            <th className="hide-narrow">Last received</th>
            <th className="hide-narrow">Last published</th>
            <th className="num hide-narrow">Received</th>
            <th className="num hide-narrow">Published</th>
            {canManage ? (
              <th>
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {sources.map((c) => {
            const problems = problemsOf(c);
            return (
              <Fragment key={c.pixelID}>
                <tr className={problems.length > 0 ? 'has-problem' : undefined}>
                  <td>
                    <div className="strong">{pixelTitle(c)}</div>
                    <div className="sub mono">{c.pixelID}</div>
                  </td>
                  <td>{c.active ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Deactivated</Badge>}</td>
                  <td>{c.publishingEnabled ? <Badge tone="blue">On</Badge> : <Badge tone="grey">Off</Badge>}</td>
                  <td className="hide-narrow">{ago(c.lastReceived)}</td>
                  <td className="hide-narrow">{ago(c.lastPublished)}</td>
                  <td className="num hide-narrow">{count(c.totalEventsReceived)}</td>
                  <td className="num hide-narrow">{count(c.totalEventsPublished)}</td>
                  {canManage ? (
                    <td className="actions">
                      <RowMenu
                        label={`Actions for ${pixelTitle(c)}`}
                        items={[
                          {
                            label: c.active ? 'Deactivate receiving' : 'Activate receiving',
                            onSelect: () => setSwitch(c, 'receiving', !c.active),
                          },
                          {
                            label: c.publishingEnabled ? 'Disable publishing' : 'Enable publishing',
                            onSelect: () => setSwitch(c, 'publishing', !c.publishingEnabled),
                          },
                          {
                            label: 'Show server-events access key',
                            onSelect: () => setOpen({ kind: 'key', pixel: c }),
                          },
                          { label: 'Replace access token', onSelect: () => setOpen({ kind: 'token', pixel: c }) },
                          { label: 'Remove', danger: true, onSelect: () => setOpen({ kind: 'remove', pixel: c }) },
                        ]}
                      />
                    </td>
                  ) : null}
                </tr>
                {problems.length > 0 ? (
                  <tr className="problem-row">
                    <td colSpan={canManage ? 8 : 7}>
                      {problems.map((p) => (
                        <p key={p.text} className={`problem ${p.tone}`}>
                          {p.text}
                        </p>
                      ))}
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      <AccessKeyDialog accountId={accountId} pixel={open?.kind === 'key' ? open.pixel : null} onClose={close} />
      <ReplaceTokenDialog
        accountId={accountId}
        pixel={open?.kind === 'token' ? open.pixel : null}
        onClose={close}
        onDone={done}
      />
      <RemoveDialog
        accountId={accountId}
        pixel={open?.kind === 'remove' ? open.pixel : null}
        onClose={close}
        onDone={done}
      />
    </>
  );
}
