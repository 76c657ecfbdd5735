import { useId, useState } from 'react';
import { ConfirmDialog, FormDialog } from '../../../ui/dialog';
import { Field } from '../../../ui/controls';
import { pipelineMutation } from './pipeline-api';

// The payload template library: built-in templates and the account's saved ones. Picking one
// loads it into the editor; the current template can be saved under a name; saved ones deleted.

export interface PayloadTemplate {
  id: string;
  name: string;
  body: string;
  builtIn: boolean;
}
export const TEMPLATE_FIELDS = 'id name body builtIn';

export function TemplateLibrary({
  accountId,
  templates,
  current,
  canManage,
  onLoad,
  onChanged,
}: {
  accountId: string;
  templates: PayloadTemplate[];
  /** The template in the editor now, for "Save as". */
  current: string;
  canManage: boolean;
  onLoad(body: string): void;
  onChanged(message: string): void;
}) {
  const [picked, setPicked] = useState('');
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [name, setName] = useState('');
  const selectId = useId();
  const chosen = templates.find((t) => t.id === picked);
  const builtIn = templates.filter((t) => t.builtIn);
  const saved = templates.filter((t) => !t.builtIn);
  return (
    <div className="template-library">
      <div className="inline-form">
        <div className="field grow">
          <label htmlFor={selectId}>Template library</label>
          <select id={selectId} value={picked} onChange={(e) => setPicked(e.target.value)}>
            <option value="">Choose a template…</option>
            <optgroup label="Built in">
              {builtIn.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </optgroup>
            {saved.length > 0 ? (
              <optgroup label="Saved">
                {saved.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </div>
        <button type="button" className="btn" disabled={!chosen} onClick={() => chosen && onLoad(chosen.body)}>
          Load template
        </button>
        {canManage ? (
          <>
            <button type="button" className="btn" onClick={() => setSaving(true)}>
              Save as template…
            </button>
            <button
              type="button"
              className="btn"
              disabled={!chosen || chosen.builtIn}
              title={chosen?.builtIn ? 'Built-in templates cannot be deleted' : undefined}
              onClick={() => setDeleting(true)}
            >
              Delete template
            </button>
          </>
        ) : null}
      </div>
      <FormDialog
        title="Save template"
        open={saving}
        onClose={() => setSaving(false)}
        submitLabel="Save template"
        onSubmit={async () => {
          const t = await pipelineMutation<PayloadTemplate | null>(
            accountId,
            'dataDestinationMutations',
            '$name: String!, $body: String!',
            `savePayloadTemplate(name: $name, body: $body) { ${TEMPLATE_FIELDS} }`,
            { name: name.trim(), body: current },
          );
          setSaving(false);
          setName('');
          if (t) setPicked(t.id);
          onChanged(`The template ${t?.name ?? name.trim()} is saved in the library.`);
        }}
      >
        <p className="muted">
          Saves the template in the editor in this account's library (a template of that name is replaced).
        </p>
        <Field label="Template name">
          {(id) => <input id={id} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      </FormDialog>
      <ConfirmDialog
        title="Delete template"
        open={deleting}
        onClose={() => setDeleting(false)}
        confirmLabel="Delete"
        onConfirm={async () => {
          if (!chosen) return;
          await pipelineMutation(accountId, 'dataDestinationMutations', '$id: ID!', 'deletePayloadTemplate(id: $id)', {
            id: chosen.id,
          });
          setDeleting(false);
          setPicked('');
          onChanged(`The template ${chosen.name} was deleted from the library.`);
        }}
      >
        Delete the saved template <strong>{chosen?.name}</strong>? Destinations that use it keep their own copy.
      </ConfirmDialog>
    </div>
  );
}
