// The database port. Everything above it speaks plain SQL through these few calls: the embedded
// PostgreSQL server and one at DATABASE_URL are the same to it, and tests use real ones.

export interface Sql {
  /** One statement with $1..$n parameters; returns the rows. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** A script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface Db extends Sql {
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A database error that means "not reachable right now", as opposed to a bug in our SQL. */
export function isUnavailableError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  const code = e.code ?? '';
  // Connection-level errors (node) and PostgreSQL classes 08 (connection), 53 (resources), 57P (shutdown).
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH)$/.test(code)) return true;
  if (/^(08|53|57P)/.test(code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    e.message ?? '',
  );
}

/**
 * JSON for a jsonb (or jsonb_to_recordset) parameter. PostgreSQL text and jsonb cannot hold U+0000,
 * and one such character in a client's event would fail the whole group commit (every request in
 * it answered 503, and retried forever): it is stored as U+FFFD instead.
 */
export function pgJson(value: unknown): string {
  const json = JSON.stringify(value);
  // The scan for the rare escape is far cheaper than the replace over every group commit's JSON.
  // An escape is real only after an even number of backslashes ("\\u0000" is a backslash and "u0000").
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
}
