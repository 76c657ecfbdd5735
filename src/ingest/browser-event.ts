import { ADVANCED_MATCHING_KEYS } from '../domain/customer-information.js';

// Maps the JSON body the Meta Pixel's gateway plugin (openbridge3) and our own tag post to /events
// into a Conversions API server event (capig-control-plane.md C.6).

export type BrowserMapping = { ok: true; pixelId: string; raw: Record<string, unknown> } | { ok: false; error: string };

const PIXEL_ID = /^\d{1,20}$/;

export function mapBrowserEvent(body: unknown, receivedAtMs: number): BrowserMapping {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, error: 'each event must be a JSON object' };
  }
  const b = body as Record<string, unknown>;
  const pixelId = typeof b['fb.pixel_id'] === 'number' ? String(b['fb.pixel_id']) : b['fb.pixel_id'];
  if (typeof pixelId !== 'string' || !PIXEL_ID.test(pixelId)) {
    return { ok: false, error: '"fb.pixel_id" is required and must be the numeric pixel id' };
  }

  const site = isObject(b.website_context) ? b.website_context : {};
  const userData: Record<string, unknown> = {};
  if (isObject(b['fb.advanced_matching'])) {
    for (const [k, v] of Object.entries(b['fb.advanced_matching'])) {
      if (ADVANCED_MATCHING_KEYS.has(k) && v !== '' && v !== null) userData[k] = v;
    }
  }
  if (typeof b['fb.fbp'] === 'string' && b['fb.fbp'] !== '') userData.fbp = b['fb.fbp'];
  if (typeof b['fb.fbc'] === 'string' && b['fb.fbc'] !== '') userData.fbc = b['fb.fbc'];

  const customData: Record<string, unknown> = isObject(b.custom_data) ? { ...b.custom_data } : {};
  if (isObject(b.conversion_value)) {
    const { value, currency } = b.conversion_value;
    if (customData.value === undefined && value !== undefined) customData.value = value;
    if (customData.currency === undefined && currency !== undefined) customData.currency = currency;
  }

  const raw: Record<string, unknown> = {
    event_name: b.event_name,
    event_time: eventTimeSeconds(b.event_time, receivedAtMs),
    action_source: 'website',
    user_data: userData,
  };
  if (b.event_id !== undefined && b.event_id !== null && b.event_id !== '') raw.event_id = b.event_id;
  if (typeof site.location === 'string' && site.location !== '') raw.event_source_url = site.location;
  if (typeof site.referrer === 'string' && site.referrer !== '') raw.referrer_url = site.referrer;
  if (Object.keys(customData).length > 0) raw.custom_data = customData;
  // Our tag's consent signal; the pipeline applies the account's policy and removes the field.
  if (b.consent === 'granted' || b.consent === 'denied') raw.consent = b.consent;
  return { ok: true, pixelId, raw };
}

/** The pixel does not always send a time; when it does, it may be seconds or milliseconds. */
function eventTimeSeconds(v: unknown, receivedAtMs: number): unknown {
  if (v === undefined || v === null || v === '') return Math.floor(receivedAtMs / 1000);
  if (typeof v === 'number' && v > 1e11) return Math.floor(v / 1000);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
