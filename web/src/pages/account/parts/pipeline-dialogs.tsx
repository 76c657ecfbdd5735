import { useEffect, useState } from 'react';
import { Field } from '../../../ui/controls';
import { FormDialog } from '../../../ui/dialog';
import { parseEventNames, pipelineMutation } from './pipeline-api';

// The small dialogs of the Pipelines screen: create, rename, and a blocked-event-types filter.
// Each resolves when the gateway saved the change; an error stays in the dialog.

export function CreatePipelineDialog({
  accountId,
  open,
  onClose,
  onDone,
}: {
  accountId: string;
  open: boolean;
  onClose(): void;
  onDone(pipeline: { id: string; name: string }): void;
}) {
  const [name, setName] = useState('');
  useEffect(() => {
    if (open) setName('');
  }, [open]);
  return (
    <FormDialog
      title="Create pipeline"
      open={open}
      onClose={onClose}
      submitLabel="Create pipeline"
      onSubmit={async () => {
        const created = await pipelineMutation<{ id: string; name: string } | null>(
          accountId,
          'dataPipelineMutations',
          '$name: String!',
          'createPipeline(name: $name) { id name }',
          { name: name.trim() },
        );
        if (!created) throw new Error('The gateway did not create the pipeline.');
        onDone(created);
      }}
    >
      <p className="muted">
        A pipeline takes events from its sources (a Signals Gateway pixel, server events, file uploads) and sends them
        to each of its destinations: Meta's Conversions API or your own HTTP endpoint.
      </p>
      <Field label="Pipeline name" hint="Leave empty for a generated name.">
        {(id) => <input id={id} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
    </FormDialog>
  );
}

/** Renames anything with a name; `save` sends the mutation. */
export function RenameDialog({
  what,
  current,
  open,
  onClose,
  save,
}: {
  what: string;
  current: string;
  open: boolean;
  onClose(): void;
  save(name: string): Promise<void>;
}) {
  const [name, setName] = useState(current);
  useEffect(() => {
    if (open) setName(current);
  }, [open, current]);
  return (
    <FormDialog
      title={`Rename ${what}`}
      open={open}
      onClose={onClose}
      submitLabel="Rename"
      onSubmit={() => save(name.trim())}
    >
      <Field label="Name">
        {(id) => <input id={id} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
    </FormDialog>
  );
}

/** Blocked event types of a pipeline or of one of its destinations. */
export function FilterDialog({
  title,
  intro,
  current,
  open,
  onClose,
  save,
}: {
  title: string;
  intro: string;
  /** The saved list, as text: a string compares by value, so the card's polling (a new array each
   *  render) does not reset what is being typed. */
  current: string;
  open: boolean;
  onClose(): void;
  save(blocked: string[]): Promise<void>;
}) {
  const [text, setText] = useState('');
  useEffect(() => {
    if (open) setText(current);
  }, [open, current]);
  return (
    <FormDialog
      title={title}
      open={open}
      onClose={onClose}
      submitLabel="Save filter"
      onSubmit={() => save(parseEventNames(text))}
    >
      <p className="muted">{intro}</p>
      <Field
        label="Blocked event types"
        hint="Event names separated by commas, e.g. PageView, ViewContent. Leave empty to let every event through."
      >
        {(id) => <textarea id={id} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
    </FormDialog>
  );
}
