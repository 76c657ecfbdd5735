import type { Sql } from '../db.js';

// What the served tag (GET /sdk/{id}/events.js) needs of a Signals Gateway pixel's settings
// (data_sources.pixel_config, written by updateGatewayPixelConfig). Only the switches the tag acts
// on are read; anything malformed in the stored JSON is left out, so the tag keeps its defaults.

/** The stored switches the tag applies; a field left out keeps the tag's default behaviour. */
export interface GatewayPixelSettings {
  /** false: the tag sends nothing for this pixel. */
  enabledStatus?: boolean;
  /** false: the tag writes no _fbp / _fbc cookie for this pixel. */
  enableFirstPartyCookie?: boolean;
  /** true: fbq events are forked into this pixel without the page's integrationMethod call. */
  enableAutomaticForkMetaPixelEvent?: boolean;
  /** true: advanced matching values are SHA-256-hashed in the page. */
  enableContactDataHash?: boolean;
  /** Non-empty: only these advanced matching keys are sent. */
  aamFields?: string[];
}

const SWITCHES = [
  'enabledStatus',
  'enableFirstPartyCookie',
  'enableAutomaticForkMetaPixelEvent',
  'enableContactDataHash',
] as const;
const AAM_FIELD = /^[a-z_]{1,20}$/;

/** The settings of an ADVERTISER_HOSTED_PIXEL source; null for any other id (Meta pixels, unknown). */
export async function findGatewayPixelSettings(sql: Sql, sourceId: string): Promise<GatewayPixelSettings | null> {
  const [row] = await sql.query<{ pixel_config: unknown }>(
    `SELECT pixel_config FROM data_sources WHERE id = $1 AND type = 'ADVERTISER_HOSTED_PIXEL'`,
    [sourceId],
  );
  if (!row) return null;
  let stored = row.pixel_config;
  if (typeof stored === 'string') {
    try {
      stored = JSON.parse(stored);
    } catch {
      stored = {};
    }
  }
  const c = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const out: GatewayPixelSettings = {};
  for (const key of SWITCHES) {
    if (typeof c[key] === 'boolean') out[key] = c[key];
  }
  if (Array.isArray(c.aamFields)) {
    out.aamFields = c.aamFields.filter((f): f is string => typeof f === 'string' && AAM_FIELD.test(f)).slice(0, 20);
  }
  return out;
}
