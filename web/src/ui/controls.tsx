import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

// Small controls: a labelled field, a text field, a set of choices, a switch, a row menu and a copy button.

export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: ReactNode;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint ? <div className="hint muted">{hint}</div> : null}
    </div>
  );
}

/** A labelled one-line text input: numeric ids, secrets (write-only, never autofilled) or plain text. */
export function TextField({
  label,
  hint,
  value,
  onChange,
  required,
  kind = 'text',
  placeholder,
}: {
  label: string;
  hint?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  kind?: 'text' | 'numeric' | 'secret';
  placeholder?: string;
}) {
  return (
    <Field label={label} hint={hint}>
      {(id) => (
        <input
          id={id}
          type={kind === 'secret' ? 'password' : 'text'}
          inputMode={kind === 'numeric' ? 'numeric' : undefined}
          required={required}
          autoComplete="off"
          placeholder={placeholder}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** Radio choices, each a title with a sentence on what it means, in a fieldset with its legend. */
export function Choices<T extends string>({
  legend,
  options,
  value,
  onChange,
  disabled,
}: {
  legend: string;
  options: ReadonlyArray<{ value: T; label: string; description: ReactNode }>;
  value: T;
  onChange: (value: T) => void;
  disabled?: boolean;
}) {
  const name = useId();
  return (
    <fieldset className="choices" disabled={disabled}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="choice">
          <input type="radio" name={name} checked={value === o.value} onChange={() => onChange(o.value)} />
          <span>
            <strong>{o.label}</strong>
            <span className="sub block">{o.description}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/** An on/off switch: a checkbox with role="switch", labelled for screen readers. */
export function Switch({
  checked,
  label,
  onChange,
  disabled,
}: {
  checked: boolean;
  label: string;
  onChange(next: boolean): void;
  disabled?: boolean;
}) {
  return (
    <label className="switch">
      <input
        type="checkbox"
        role="switch"
        checked={checked}
        aria-checked={checked}
        aria-label={label}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
      />
      <span className="switch-track" aria-hidden="true" />
    </label>
  );
}

export interface MenuItem {
  label: string;
  onSelect(): void;
  danger?: boolean;
}

/** The "⋯" menu of a table row; arrow keys move, Escape closes. */
export function RowMenu({ label, items }: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<React.CSSProperties>({});
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const dismiss = () => setOpen(false);
    document.addEventListener('mousedown', close);
    window.addEventListener('resize', dismiss);
    window.addEventListener('scroll', dismiss, true);
    // Without preventScroll, focusing the first item can scroll the page, and scrolling closes the menu.
    ref.current?.querySelector<HTMLButtonElement>('[role=menuitem]')?.focus({ preventScroll: true });
    return () => {
      document.removeEventListener('mousedown', close);
      window.removeEventListener('resize', dismiss);
      window.removeEventListener('scroll', dismiss, true);
    };
  }, [open]);
  const toggle = (button: HTMLButtonElement) => {
    // Fixed to the viewport, so a table card that scrolls sideways cannot cut the menu off; it
    // opens upwards when there is no room below.
    const r = button.getBoundingClientRect();
    const below = window.innerHeight - r.bottom > 48 * items.length + 16;
    setPlace({
      position: 'fixed',
      right: Math.max(8, window.innerWidth - r.right),
      ...(below ? { top: r.bottom + 4, bottom: 'auto' } : { top: 'auto', bottom: window.innerHeight - r.top + 4 }),
    });
    setOpen(!open);
  };
  if (items.length === 0) return null;
  const onKey = (e: React.KeyboardEvent) => {
    const all = [...(ref.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      setOpen(false);
      ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      all[(at + 1) % all.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      all[(at - 1 + all.length) % all.length]?.focus();
    }
  };
  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className="btn ghost icon"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={(e) => toggle(e.currentTarget)}
      >
        ⋯
      </button>
      {open ? (
        <div className="menu-list" role="menu" style={place} onKeyDown={onKey}>
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              className={item.danger ? 'danger' : undefined}
              onClick={() => {
                setOpen(false);
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // Clipboard access can be refused (plain http); the text stays selectable beside the button.
    }
  };
  return (
    <button type="button" className="btn small" onClick={copy}>
      {copied ? 'Copied' : label}
    </button>
  );
}

/** A secret or link shown in full, selectable, with a copy button. */
export function SecretBox({ value, label }: { value: string; label: string }) {
  return (
    <div className="secret">
      <input readOnly value={value} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
      <CopyButton text={value} />
    </div>
  );
}
