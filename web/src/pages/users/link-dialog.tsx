import { type ReactNode, useEffect, useState } from 'react';
import { SecretBox } from '../../ui/controls';
import { Dialog } from '../../ui/dialog';
import { ErrorNote, Loading, Notice } from '../../ui/layout';

// Shows a one-time link (invitation or password reset). With `load`, the dialog asks the gateway
// for the link itself, so a failure is told inside the dialog rather than lost.

export function LinkDialog({
  title,
  open,
  onClose,
  linkLabel,
  link,
  load,
  children,
  after,
}: {
  title: string;
  open: boolean;
  onClose(): void;
  /** Accessible name of the link's text box, e.g. "Invitation link". */
  linkLabel: string;
  link?: string | null;
  load?: () => Promise<string>;
  children?: ReactNode;
  /** Shown below the link. */
  after?: ReactNode;
}) {
  const [loaded, setLoaded] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: load is a fresh closure on each render
  useEffect(() => {
    if (!open || !load) return;
    let live = true;
    setLoaded(null);
    setError(null);
    load().then(
      (value) => live && setLoaded(value),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
    };
  }, [open, tick]);
  const value = load ? loaded : (link ?? null);
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <div className="form">
        {children}
        {error ? <ErrorNote message={error} onRetry={() => setTick((t) => t + 1)} /> : null}
        {value ? (
          <>
            <SecretBox value={value} label={linkLabel} />
            <Notice kind="warning">
              When the gateway is set up to send email, this link was emailed too; otherwise send it yourself. It works
              once, for 24 hours, and signs in as this person, so share it only with them.
            </Notice>
          </>
        ) : load && !error ? (
          <Loading what="the link" />
        ) : null}
        {after}
        <div className="dialog-actions">
          <button type="button" className="btn primary" onClick={onClose}>
            Done
          </button>
        </div>
      </div>
    </Dialog>
  );
}
