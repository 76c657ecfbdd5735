import { useCallback, useState } from 'react';

// The outcome of the last action on a screen: a success line or the API's error, in words.

export interface Messages {
  success: string | null;
  error: string | null;
  /** Runs an action; its error is shown, and the success text when it resolves. */
  run(action: () => Promise<unknown>, success?: string): Promise<boolean>;
  show(kind: 'success' | 'error', text: string): void;
  clear(): void;
}

export function useMessages(): Messages {
  const [success, setSuccess] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = useCallback((kind: 'success' | 'error', text: string) => {
    setSuccess(kind === 'success' ? text : null);
    setError(kind === 'error' ? text : null);
  }, []);
  const clear = useCallback(() => {
    setSuccess(null);
    setError(null);
  }, []);
  const run = useCallback(async (action: () => Promise<unknown>, done?: string) => {
    setError(null);
    setSuccess(null);
    try {
      await action();
      if (done) setSuccess(done);
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    }
  }, []);
  return { success, error, run, show, clear };
}

export function MessageLine({ messages }: { messages: Messages }) {
  const text = messages.error ?? messages.success;
  if (!text) return null;
  const kind = messages.error ? 'error' : 'success';
  return (
    <div className={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span>{text}</span>
      <button type="button" className="btn small ghost" onClick={messages.clear}>
        Dismiss
      </button>
    </div>
  );
}
