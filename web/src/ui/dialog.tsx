import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { ErrorNote } from './layout';

// A modal on the native <dialog>: focus moves in, Escape closes, the page behind is inert.

export function Dialog({
  title,
  open,
  onClose,
  children,
  wide,
}: {
  title: string;
  open: boolean;
  onClose(): void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // The native close event also follows a close we made because `open` turned false; by then the
  // caller may have opened something else, which that late onClose would close again.
  const openRef = useRef(open);
  openRef.current = open;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // Start where the person types, not on the close button.
      dialog.querySelector<HTMLElement>('input:not([type=hidden]):not([readonly]), select, textarea')?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog wide' : 'dialog'}
      onClose={() => openRef.current && onClose()}
      aria-label={title}
    >
      {open ? (
        <>
          <div className="dialog-head">
            <h2>{title}</h2>
            <button type="button" className="btn ghost icon" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </div>
          {children}
        </>
      ) : null}
    </dialog>
  );
}

/**
 * A dialog holding a form: the submit button shows progress, and an API error stays in the
 * dialog, in words, so nothing typed is lost.
 */
export function FormDialog({
  title,
  open,
  onClose,
  submitLabel,
  danger,
  onSubmit,
  children,
  wide,
}: {
  title: string;
  open: boolean;
  onClose(): void;
  submitLabel: string;
  danger?: boolean;
  /** Resolves when done; throw to show the error. */
  onSubmit(): Promise<void>;
  children: ReactNode;
  wide?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) setError(null);
  }, [open]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} open={open} onClose={onClose} wide={wide}>
      <form onSubmit={submit} className="form">
        {children}
        {error ? <ErrorNote message={error} /> : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={danger ? 'btn danger' : 'btn primary'} disabled={busy}>
            {busy ? 'Working…' : submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** "Are you sure?" for destructive actions. */
export function ConfirmDialog({
  title,
  open,
  onClose,
  confirmLabel,
  onConfirm,
  children,
}: {
  title: string;
  open: boolean;
  onClose(): void;
  confirmLabel: string;
  onConfirm(): Promise<void>;
  children: ReactNode;
}) {
  return (
    <FormDialog title={title} open={open} onClose={onClose} submitLabel={confirmLabel} danger onSubmit={onConfirm}>
      <div className="dialog-body">{children}</div>
    </FormDialog>
  );
}
