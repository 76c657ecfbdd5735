import type { Sql } from '../db.js';

// An account's first-party domain (Meta: data routing). Reads and writes are limited to the
// accounts the caller may see, in SQL.

export interface IngressRecord {
  tenantId: string;
  tenantName: string;
  /** null until one is set. */
  ingress: string | null;
  targetDomain: string | null;
}

export function createIngressDomainsRepo(db: Sql) {
  return {
    /** null when the account is not visible; ingress null when none is set yet. */
    async get(visible: readonly string[], tenantId: string): Promise<IngressRecord | null> {
      const [row] = await db.query<{ id: string; name: string; ingress: string | null; target_domain: string | null }>(
        `SELECT t.id, t.name, i.ingress, i.target_domain
           FROM tenants t LEFT JOIN ingress_domains i ON i.tenant_id = t.id
          WHERE t.id = $1 AND t.id = ANY($2::text[])`,
        [tenantId, visible],
      );
      return row
        ? { tenantId: row.id, tenantName: row.name, ingress: row.ingress, targetDomain: row.target_domain }
        : null;
    },

    /** 'taken' when another account already routes through that domain. */
    async upsert(
      visible: readonly string[],
      tenantId: string,
      ingress: string,
      targetDomain: string,
    ): Promise<'ok' | 'not_found' | 'taken'> {
      const [owner] = await db.query<{ tenant_id: string }>(
        'SELECT tenant_id FROM ingress_domains WHERE ingress = $1',
        [ingress],
      );
      if (owner && owner.tenant_id !== tenantId) return 'taken';
      const rows = await db
        .query(
          `INSERT INTO ingress_domains (tenant_id, ingress, target_domain)
         SELECT id, $3, $4 FROM tenants WHERE id = $1 AND id = ANY($2::text[])
         ON CONFLICT (tenant_id) DO UPDATE SET ingress = excluded.ingress, target_domain = excluded.target_domain,
                                               updated_at = now()
         RETURNING tenant_id`,
          [tenantId, visible, ingress, targetDomain],
        )
        // Another account took the domain between the check and the insert.
        .catch((err: { code?: string }) => (err.code === '23505' ? null : Promise.reject(err)));
      if (rows === null) return 'taken';
      return rows.length > 0 ? 'ok' : 'not_found';
    },

    /** Whether `domain` is the first-party domain of an account that is not deactivated. */
    async isActive(domain: string): Promise<boolean> {
      const rows = await db.query(
        `SELECT 1 FROM ingress_domains i JOIN tenants t ON t.id = i.tenant_id
          WHERE i.ingress = $1 AND t.status <> 2`,
        [domain],
      );
      return rows.length > 0;
    },
  };
}

export type IngressDomainsRepo = ReturnType<typeof createIngressDomainsRepo>;
