// What the people-authentication flows answer: data, mapped to HTTP by the routes/auth-*.ts files.

export interface StartedSession {
  sessionId: string;
  csrfToken: string;
}

export type AuthOutcome =
  | { ok: true; status: 200 | 201; body: Record<string, unknown>; session?: StartedSession; endSession?: boolean }
  | { ok: false; status: 400 | 401 | 403 | 409 | 429; message: string; retryAfterSec?: number };

export const refused = (status: 400 | 401 | 403 | 409 | 429, message: string, retryAfterSec?: number): AuthOutcome => ({
  ok: false,
  status,
  message,
  ...(retryAfterSec ? { retryAfterSec } : {}),
});

/** A JSON body's string field, or null. */
export function field(body: unknown, name: string): string | null {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : null;
}
