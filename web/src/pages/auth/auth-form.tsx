import { type FormEvent, type ReactNode, useState } from 'react';
import { ErrorNote } from '../../ui/layout';

// The card every signed-out page uses: a title, fields, one submit button, errors in words.
export function AuthForm({
  title,
  intro,
  submitLabel,
  onSubmit,
  children,
  footer,
}: {
  title: string;
  intro?: ReactNode;
  submitLabel: string;
  onSubmit(): Promise<void>;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <main className="auth-page">
      <form className="auth-card form" onSubmit={submit} noValidate={false}>
        <div className="brand auth-brand">
          <span className="brand-mark" aria-hidden="true" />
          <span>Conversions API Gateway</span>
        </div>
        <h1>{title}</h1>
        {intro ? <p className="muted">{intro}</p> : null}
        {children}
        {error ? <ErrorNote message={error} /> : null}
        <button type="submit" className="btn primary block" disabled={busy}>
          {busy ? 'Working…' : submitLabel}
        </button>
        {footer ? <div className="auth-footer">{footer}</div> : null}
      </form>
    </main>
  );
}

/** The email a person signs in with. */
export function EmailField({ value, onChange, hint }: { value: string; onChange(v: string): void; hint?: string }) {
  return (
    <div className="field">
      <label htmlFor="email">Email</label>
      <input
        id="email"
        type="email"
        autoComplete="username"
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint ? <div className="hint muted">{hint}</div> : null}
    </div>
  );
}

/** Two password fields that must match; the parent checks `matches` before submitting. */
export function NewPasswordFields({
  password,
  repeat,
  onPassword,
  onRepeat,
}: {
  password: string;
  repeat: string;
  onPassword(v: string): void;
  onRepeat(v: string): void;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor="new-password">New password</label>
        <input
          id="new-password"
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
          value={password}
          onChange={(e) => onPassword(e.target.value)}
        />
        <div className="hint muted">At least 10 characters.</div>
      </div>
      <div className="field">
        <label htmlFor="repeat-password">Re-type the password</label>
        <input
          id="repeat-password"
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
          value={repeat}
          onChange={(e) => onRepeat(e.target.value)}
        />
      </div>
    </>
  );
}

export function checkPasswords(password: string, repeat: string): void {
  if (password.length < 10) throw new Error('The password needs at least 10 characters.');
  if (password !== repeat) throw new Error('The two passwords differ: type the same password twice.');
}
