import { DEFAULT_PRIVACY, type FilterState, type PixelSettings } from '../../domain/pixel.js';
import type { SecretBox } from '../../platform/secret-box.js';
import type { Sql } from '../db.js';

// What the data plane reads about a pixel: its settings for ingest, its target for publishing.

export interface PublishTarget {
  pixelId: string;
  tenantId: string;
  accessToken: string;
  apiVersion: string | null;
}

interface SettingsRow {
  pixel_id: string;
  tenant_id: string;
  tenant_active: boolean;
  receiving_enabled: boolean;
  publishing_enabled: boolean;
  access_key_enc: string;
}

interface FilterRow {
  pixel_id: string;
  name: string;
  state: FilterState;
}

export function createPixelSettingsRepo(db: Sql, box: SecretBox) {
  return {
    async settings(pixelId: string): Promise<PixelSettings | null> {
      const [row] = await db.query<SettingsRow>(
        `SELECT p.pixel_id, p.tenant_id, t.status <> 2 AS tenant_active, p.receiving_enabled, p.publishing_enabled,
                p.access_key_enc
           FROM pixels p JOIN tenants t ON t.id = p.tenant_id
          WHERE p.pixel_id = $1`,
        [pixelId],
      );
      if (!row) return null;
      const [events, domains] = await Promise.all([
        db.query<FilterRow>(
          `SELECT pixel_id, event_name AS name, state FROM event_filters
            WHERE tenant_id = $1 AND pixel_id IN ('', $2)`,
          [row.tenant_id, pixelId],
        ),
        db.query<FilterRow>(
          `SELECT pixel_id, domain AS name, state FROM domain_filters
            WHERE tenant_id = $1 AND pixel_id IN ('', $2)`,
          [row.tenant_id, pixelId],
        ),
      ]);
      return {
        pixelId: row.pixel_id,
        tenantId: row.tenant_id,
        tenantActive: row.tenant_active,
        receiving: row.receiving_enabled,
        publishing: row.publishing_enabled,
        droppedEvents: effectiveDrops(events),
        blockedDomains: effectiveDrops(domains),
        accessKey: box.open(row.access_key_enc),
        routes: [{ lane: row.pixel_id, blockedEvents: new Set() }],
        privacy: DEFAULT_PRIVACY,
      };
    },

    /** null when the pixel cannot be published to now (no token, bad token, or gone). */
    async publishTarget(pixelId: string): Promise<PublishTarget | null> {
      const [row] = await db.query<{ tenant_id: string; access_token_enc: string; api_version: string | null }>(
        `SELECT tenant_id, access_token_enc, api_version FROM pixels
          WHERE pixel_id = $1 AND NOT bad_token AND access_token_enc IS NOT NULL`,
        [pixelId],
      );
      if (!row) return null;
      return {
        pixelId,
        tenantId: row.tenant_id,
        accessToken: box.open(row.access_token_enc),
        apiVersion: row.api_version,
      };
    },
  };
}

export type PixelSettingsRepo = ReturnType<typeof createPixelSettingsRepo>;

/** A pixel's own rule wins over the account-wide one (pixel_id ''). */
function effectiveDrops(rows: FilterRow[]): Set<string> {
  const state = new Map<string, FilterState>();
  for (const r of rows.filter((r) => r.pixel_id === '')) state.set(r.name, r.state);
  for (const r of rows.filter((r) => r.pixel_id !== '')) state.set(r.name, r.state);
  return new Set([...state].filter(([, s]) => s === 'DROP').map(([name]) => name));
}
