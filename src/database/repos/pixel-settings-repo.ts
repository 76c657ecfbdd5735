import type { HttpTarget } from '../../publish/http-destination/http-destination-client.js';
import type { AccountPrivacy, FilterState, PixelSettings, Route } from '../../domain/pixel.js';
import type { SecretBox } from '../../platform/secret-box.js';
import type { Sql } from '../db.js';

// What the data plane reads about the id an event names (a pixel connection's pixel or a Signals
// Gateway source): its settings and routes for ingest, and for each lane its publish target.

/** Where a lane's events are sent: Meta's Conversions API, or a custom HTTP endpoint. */
export type PublishTarget =
  | { kind: 'capi'; tenantId: string; pixelId: string; accessToken: string; apiVersion: string | null }
  | (HttpTarget & { tenantId: string });

interface SourceRow {
  id: string;
  tenant_id: string;
  is_pixel: boolean;
  receiving: boolean;
  publishing: boolean;
  access_key_enc: string | null;
  tenant_active: boolean;
  event_enrichment: boolean;
  consent_policy: AccountPrivacy['consentPolicy'];
  consent_required: boolean;
  dpo_options: string[] | null;
  dpo_country: number | null;
  dpo_state: number | null;
  pipelines: number;
}

interface FilterRow {
  pixel_id: string;
  name: string;
  state: FilterState;
}

// A pixel connection's own row, or a source that is not a pixel's (a META_PIXEL source is the pixel).
const SOURCE = `
  WITH src AS (
    SELECT p.pixel_id AS id, p.tenant_id, true AS is_pixel, p.receiving_enabled AS receiving,
           p.publishing_enabled AS publishing, p.access_key_enc
      FROM pixels p WHERE p.pixel_id = $1
    UNION ALL
    SELECT s.id, s.tenant_id, false, s.active, true, s.access_key_enc
      FROM data_sources s WHERE s.id = $1 AND s.pixel_id IS NULL)
  SELECT src.*, t.status <> 2 AS tenant_active, t.event_enrichment, t.consent_policy, t.consent_required,
         t.dpo_options, t.dpo_country, t.dpo_state,
         (SELECT count(*)::int FROM pipeline_sources ps WHERE ps.source_id = src.id) AS pipelines
    FROM src JOIN tenants t ON t.id = src.tenant_id`;

// Destinations that can be delivered to: a pixel connection's, or one whose settings are complete.
const ROUTES = `
  SELECT coalesce(d.pixel_id, d.id) AS lane,
         CASE WHEN pl.filter_status IS DISTINCT FROM false THEN pl.blocked_event_types ELSE '{}' END
         || CASE WHEN pd.filter_status IS DISTINCT FROM false THEN pd.blocked_event_types ELSE '{}' END AS blocked
    FROM pipeline_sources ps
    JOIN pipelines pl ON pl.id = ps.pipeline_id AND pl.active
    JOIN pipeline_destinations pd ON pd.pipeline_id = pl.id
    JOIN data_destinations d ON d.id = pd.destination_id AND d.active
   WHERE ps.source_id = $1
     AND (d.pixel_id IS NOT NULL
          OR (d.type = 'META_CONVERSIONS_API' AND d.dataset_id IS NOT NULL AND d.access_token_enc IS NOT NULL)
          OR (d.type = 'CUSTOM_HTTP_API' AND d.http_config IS NOT NULL))`;

// A pixel connection (its lane is the pixel id), else a gateway pipeline's destination.
const PUBLISH_TARGET = `
  SELECT tenant_id, 'META_CONVERSIONS_API' AS type, pixel_id AS dataset_id, api_version, access_token_enc,
         NULL::jsonb AS http_config, NULL AS http_secrets_enc
    FROM pixels WHERE pixel_id = $1 AND NOT bad_token AND access_token_enc IS NOT NULL
  UNION ALL
  SELECT tenant_id, type, dataset_id, api_version, access_token_enc, http_config, http_secrets_enc
    FROM data_destinations WHERE id = $1 AND pixel_id IS NULL AND active AND NOT bad_token`;

export function createPixelSettingsRepo(db: Sql, box: SecretBox) {
  return {
    async settings(pixelId: string): Promise<PixelSettings | null> {
      const [row] = await db.query<SourceRow>(SOURCE, [pixelId]);
      if (!row) return null;
      const [events, domains, routes] = await Promise.all([
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
        db.query<{ lane: string; blocked: string[] }>(ROUTES, [pixelId]),
      ]);
      return {
        pixelId: row.id,
        tenantId: row.tenant_id,
        tenantActive: row.tenant_active,
        receiving: row.receiving,
        publishing: row.publishing,
        droppedEvents: effectiveDrops(events),
        blockedDomains: effectiveDrops(domains),
        accessKey: row.access_key_enc ? box.open(row.access_key_enc) : '',
        routes: routesOf(row, routes),
        privacy: {
          enrichment: row.event_enrichment,
          consentPolicy: row.consent_policy,
          consentRequired: row.consent_required,
          dataProcessing:
            row.dpo_options === null
              ? null
              : { options: row.dpo_options, country: row.dpo_country ?? 0, state: row.dpo_state ?? 0 },
        },
      };
    },

    /** null when the lane cannot be published to now (no token, bad token, incomplete, or gone). */
    async publishTarget(lane: string): Promise<PublishTarget | null> {
      // One statement for both kinds of lane: the publisher asks before every batch.
      const [d] = await db.query<DestinationRow>(PUBLISH_TARGET, [lane]);
      if (!d) return null;
      if (d.type === 'META_CONVERSIONS_API' && d.dataset_id && d.access_token_enc) {
        // A pixel connection (its pixel is the dataset) or a gateway pipeline's Meta destination.
        return {
          kind: 'capi',
          tenantId: d.tenant_id,
          pixelId: d.dataset_id,
          accessToken: box.open(d.access_token_enc),
          apiVersion: d.api_version,
        };
      }
      if (d.type === 'CUSTOM_HTTP_API' && d.http_config) {
        return {
          kind: 'http',
          tenantId: d.tenant_id,
          destinationId: lane,
          config: d.http_config,
          secrets: d.http_secrets_enc ? JSON.parse(box.open(d.http_secrets_enc)) : {},
        };
      }
      return null;
    },
  };
}

export type PixelSettingsRepo = ReturnType<typeof createPixelSettingsRepo>;

interface DestinationRow {
  tenant_id: string;
  type: string;
  dataset_id: string | null;
  api_version: string | null;
  access_token_enc: string | null;
  http_config: HttpTarget['config'] | null;
  http_secrets_enc: string | null;
}

/**
 * A pixel connection not (yet) described as a pipeline delivers in its own lane, as it always did;
 * otherwise the routes are its pipelines'. The same lane twice (two pipelines to one destination)
 * takes what either takes.
 */
function routesOf(row: SourceRow, rows: Array<{ lane: string; blocked: string[] }>): Route[] {
  if (row.is_pixel && row.pipelines === 0) return [{ lane: row.id, blockedEvents: new Set() }];
  const byLane = new Map<string, Set<string>>();
  for (const r of rows) {
    const known = byLane.get(r.lane);
    const blocked = new Set(r.blocked);
    byLane.set(r.lane, known ? new Set([...known].filter((n) => blocked.has(n))) : blocked);
  }
  return [...byLane].map(([lane, blockedEvents]) => ({ lane, blockedEvents }));
}

/** A pixel's own rule wins over the account-wide one (pixel_id ''). */
function effectiveDrops(rows: FilterRow[]): Set<string> {
  const state = new Map<string, FilterState>();
  for (const r of rows.filter((r) => r.pixel_id === '')) state.set(r.name, r.state);
  for (const r of rows.filter((r) => r.pixel_id !== '')) state.set(r.name, r.state);
  return new Set([...state].filter(([, s]) => s === 'DROP').map(([name]) => name));
}
