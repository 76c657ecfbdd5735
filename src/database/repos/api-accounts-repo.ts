import { randomBytes, randomUUID } from 'node:crypto';
import { hashSecret, verifySecret } from '../../control-plane/auth/passwords.js';
import type { Sql } from '../db.js';

// API accounts: a name (the OAuth client_id) and a secret shown once and stored only as a hash.

export interface ApiAccount {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface Row {
  id: string;
  name: string;
  secret_hash: string;
  created_at: Date;
  last_used_at: Date | null;
}

const toAccount = (r: Row): ApiAccount => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

/** Letters and digits only, at most 20 characters (Meta's rule). */
export function apiAccountNameProblem(name: string): string | null {
  return /^[A-Za-z0-9]{1,20}$/.test(name) ? null : 'the name must be 1 to 20 letters or digits, without spaces';
}

export function createApiAccountsRepo(db: Sql) {
  return {
    /** Returns the secret once; only its hash is kept. Throws 23505 when the name is taken. */
    async create(name: string, createdBy: string | null): Promise<{ account: ApiAccount; secret: string }> {
      const secret = randomBytes(32).toString('base64url');
      const [row] = await db.query<Row>(
        `INSERT INTO api_accounts (id, name, secret_hash, created_by) VALUES ($1, $2, $3, $4)
         RETURNING id, name, secret_hash, created_at, last_used_at`,
        [randomUUID(), name, await hashSecret(secret), createdBy],
      );
      return { account: toAccount(row as Row), secret };
    },

    /** The account when name and secret match; null otherwise (same work either way). */
    async verify(name: string, secret: string): Promise<ApiAccount | null> {
      // PostgreSQL text cannot hold U+0000 (the query would fail): no account has such a name.
      const [row] = name.includes('\u0000')
        ? []
        : await db.query<Row>(
            'SELECT id, name, secret_hash, created_at, last_used_at FROM api_accounts WHERE name = $1',
            [name],
          );
      // Hash even when the name is unknown, so timing does not tell which names exist.
      const ok = await verifySecret(secret, row?.secret_hash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA');
      if (!row || !ok) return null;
      await db.query('UPDATE api_accounts SET last_used_at = now() WHERE id = $1', [row.id]);
      return toAccount(row);
    },

    async get(id: string): Promise<ApiAccount | null> {
      const [row] = await db.query<Row>(
        'SELECT id, name, secret_hash, created_at, last_used_at FROM api_accounts WHERE id = $1',
        [id],
      );
      return row ? toAccount(row) : null;
    },

    async list(): Promise<ApiAccount[]> {
      const rows = await db.query<Row>(
        'SELECT id, name, secret_hash, created_at, last_used_at FROM api_accounts ORDER BY name',
      );
      return rows.map(toAccount);
    },

    async delete(id: string): Promise<boolean> {
      const rows = await db.query('DELETE FROM api_accounts WHERE id = $1 RETURNING id', [id]);
      return rows.length > 0;
    },
  };
}

export type ApiAccountsRepo = ReturnType<typeof createApiAccountsRepo>;
