import { randomBytes } from 'node:crypto';
import type { FilterState } from '../../domain/pixel.js';
import type { SecretBox } from '../../platform/secret-box.js';
import type { Sql } from '../db.js';

// Writes that set an account up: accounts, pixels, filters, ingress domains. The control plane
// builds on these; the data plane only reads their results (pixel-settings-repo.ts).

export interface NewPixel {
  pixelId: string;
  tenantId: string;
  name?: string;
  businessId?: string | null;
  externalId?: string | null;
  accessToken?: string | null;
  apiVersion?: string | null;
  tokenVerified?: boolean;
}

export function createAccountsRepo(db: Sql, box: SecretBox) {
  return {
    async createTenant(t: {
      id: string;
      name: string;
      managed?: boolean;
      status?: TenantStatus;
      eventEnrichment?: boolean;
    }): Promise<void> {
      await db.query('INSERT INTO tenants (id, name, managed, status, event_enrichment) VALUES ($1, $2, $3, $4, $5)', [
        t.id,
        t.name,
        t.managed ?? true,
        t.status ?? TENANT_ACTIVE,
        t.eventEnrichment ?? false,
      ]);
    },

    async setTenantActive(tenantId: string, active: boolean): Promise<void> {
      await db.query('UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1', [
        tenantId,
        active ? TENANT_ACTIVE : TENANT_DEACTIVATED,
      ]);
    },

    /** Connects a pixel to an account and returns its server-events access key. */
    async addPixel(p: NewPixel): Promise<{ accessKey: string }> {
      const accessKey = randomBytes(24).toString('base64url');
      await db.query(
        `INSERT INTO pixels (pixel_id, tenant_id, name, business_id, external_id, access_token_enc, api_version,
                             token_verified, access_key_enc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          p.pixelId,
          p.tenantId,
          p.name ?? '',
          p.businessId ?? null,
          p.externalId ?? null,
          p.accessToken ? box.seal(p.accessToken) : null,
          p.apiVersion ?? null,
          p.tokenVerified ?? false,
          box.seal(accessKey),
        ],
      );
      return { accessKey };
    },

    /** A new token clears the bad-token hold, so held events flow again. */
    async replaceAccessToken(tenantId: string, pixelId: string, accessToken: string): Promise<void> {
      await db.query(
        `UPDATE pixels SET access_token_enc = $3, bad_token = false, updated_at = now()
          WHERE tenant_id = $1 AND pixel_id = $2`,
        [tenantId, pixelId, box.seal(accessToken)],
      );
    },

    async setPixelSwitches(
      tenantId: string,
      pixelId: string,
      switches: { receiving?: boolean; publishing?: boolean },
    ): Promise<void> {
      await db.query(
        `UPDATE pixels SET receiving_enabled = coalesce($3, receiving_enabled),
                           publishing_enabled = coalesce($4, publishing_enabled), updated_at = now()
          WHERE tenant_id = $1 AND pixel_id = $2`,
        [tenantId, pixelId, switches.receiving ?? null, switches.publishing ?? null],
      );
    },

    /** pixelId null: account-wide. */
    async setEventFilter(tenantId: string, pixelId: string | null, eventName: string, state: FilterState) {
      await db.query(
        `INSERT INTO event_filters (tenant_id, pixel_id, event_name, state) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, pixel_id, event_name) DO UPDATE SET state = excluded.state, updated_at = now()`,
        [tenantId, pixelId ?? '', eventName, state],
      );
    },

    async setDomainFilter(tenantId: string, pixelId: string | null, domain: string, state: FilterState) {
      await db.query(
        `INSERT INTO domain_filters (tenant_id, pixel_id, domain, state) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, pixel_id, domain) DO UPDATE SET state = excluded.state, updated_at = now()`,
        [tenantId, pixelId ?? '', normalizeDomain(domain), state],
      );
    },
  };
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;

/** Meta's Tenant.status codes. */
export const TENANT_ACTIVE = 0;
export const TENANT_SETUP_IN_PROGRESS = 1;
export const TENANT_DEACTIVATED = 2;
export type TenantStatus = typeof TENANT_ACTIVE | typeof TENANT_SETUP_IN_PROGRESS | typeof TENANT_DEACTIVATED;

/** Lowercase host without a leading "www.", the form filters are stored and matched in. */
export function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/[/:].*$/, '')
    .replace(/^www\./, '')
    .replace(/\.$/, '');
}
