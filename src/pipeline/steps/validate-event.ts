import { ACTION_SOURCES, type ActionSource, type ServerEvent } from '../../domain/event.js';

// Checks one event against the Conversions API's rules (capi-contract.md section 2) and returns
// either the typed event or every problem found, each phrased so the sender knows what to fix.

export type Validation = { ok: true; event: ServerEvent } | { ok: false; errors: string[] };

export interface ValidateOptions {
  nowSec: number;
  /** Browser events are enriched with IP/UA later, so website requirements are checked after that. */
  source: 'browser' | 'server';
}

const DAY = 86_400;
const MAX_AGE_SEC = 7 * DAY;
const MAX_AGE_PHYSICAL_STORE_SEC = 62 * DAY;
/** Clocks drift; a minute ahead is tolerated, more is a sender bug. */
const FUTURE_SKEW_SEC = 60;
const MAX_STRING = 1024;
const MAX_URL = 4096;

export function validateEvent(raw: unknown, opts: ValidateOptions): Validation {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: ['each event must be a JSON object'] };
  }
  const e = raw as Record<string, unknown>;
  const errors: string[] = [];

  if (typeof e.event_name !== 'string' || e.event_name.trim() === '') {
    errors.push('event_name is required and must be a non-empty string');
  } else if (e.event_name.length > 100) {
    errors.push('event_name must be at most 100 characters');
  }

  const actionSource = e.action_source;
  if (typeof actionSource !== 'string' || !ACTION_SOURCES.includes(actionSource as ActionSource)) {
    errors.push(`action_source is required and must be one of ${ACTION_SOURCES.join(', ')}`);
  }

  let eventTime: number | null = null;
  if (typeof e.event_time === 'number' && Number.isInteger(e.event_time)) eventTime = e.event_time;
  else if (typeof e.event_time === 'string' && /^\d{1,12}$/.test(e.event_time)) eventTime = Number(e.event_time);
  if (eventTime === null) {
    errors.push('event_time is required and must be a Unix timestamp in whole seconds');
  } else if (eventTime > 1e11) {
    errors.push('event_time looks like milliseconds; send seconds since the epoch');
  } else {
    const maxAge = actionSource === 'physical_store' ? MAX_AGE_PHYSICAL_STORE_SEC : MAX_AGE_SEC;
    if (eventTime < opts.nowSec - maxAge) {
      errors.push(`event_time is older than ${maxAge / DAY} days; Meta rejects such events`);
    } else if (eventTime > opts.nowSec + FUTURE_SKEW_SEC) {
      errors.push('event_time is in the future');
    }
  }

  if (e.event_id !== undefined && e.event_id !== null) {
    if (typeof e.event_id === 'number' && Number.isFinite(e.event_id)) e.event_id = String(e.event_id);
    if (typeof e.event_id !== 'string' || e.event_id.length === 0 || e.event_id.length > MAX_STRING) {
      errors.push('event_id must be a non-empty string of at most 1024 characters');
    }
  }

  const userData = e.user_data;
  if (userData === undefined && opts.source === 'browser') e.user_data = {};
  else if (userData === null || typeof userData !== 'object' || Array.isArray(userData)) {
    errors.push('user_data is required and must be an object');
  } else {
    for (const [key, value] of Object.entries(userData)) {
      if (!isUserDataValue(value)) errors.push(`user_data.${key} must be a string, a number or an array of them`);
    }
  }

  for (const key of ['event_source_url', 'referrer_url'] as const) {
    const v = e[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v.length > MAX_URL || !/^https?:\/\/[^\s]+$/i.test(v)) {
      errors.push(`${key} must be an absolute http(s) URL of at most ${MAX_URL} characters`);
    }
  }

  if (e.custom_data !== undefined && e.custom_data !== null) {
    if (typeof e.custom_data !== 'object' || Array.isArray(e.custom_data)) errors.push('custom_data must be an object');
  }
  if (e.opt_out !== undefined && typeof e.opt_out !== 'boolean') errors.push('opt_out must be true or false');

  const dpo = e.data_processing_options;
  if (dpo !== undefined && dpo !== null) {
    if (!Array.isArray(dpo) || !dpo.every((o) => typeof o === 'string')) {
      errors.push('data_processing_options must be an array of strings, e.g. [] or ["LDU"]');
    } else if (dpo.includes('LDU') && e.data_processing_options_country === undefined) {
      errors.push('data_processing_options_country is required with LDU (1 for USA, 0 to geolocate)');
    }
  }

  if (opts.source === 'server' && errors.length === 0) errors.push(...requiredFor(e, actionSource as ActionSource));
  if (errors.length > 0) return { ok: false, errors };
  if (typeof e.event_time === 'string') e.event_time = eventTime;
  return { ok: true, event: e as ServerEvent };
}

/** Fields Meta requires for a given action_source. Browser events get theirs from the request. */
export function requiredFor(e: Record<string, unknown>, source: ActionSource): string[] {
  const errors: string[] = [];
  const ud = (e.user_data ?? {}) as Record<string, unknown>;
  if (source === 'website') {
    if (typeof e.event_source_url !== 'string') errors.push('event_source_url is required for website events');
    if (typeof ud.client_user_agent !== 'string' || ud.client_user_agent === '') {
      errors.push('user_data.client_user_agent is required for website events');
    }
  }
  if (source === 'app') {
    const app = e.app_data as Record<string, unknown> | undefined;
    if (!app || typeof app !== 'object' || app.advertiser_tracking_enabled === undefined) {
      errors.push('app_data.advertiser_tracking_enabled is required for app events');
    }
  }
  if (Object.keys(ud).length === 0) errors.push('user_data needs at least one customer information parameter');
  return errors;
}

function isUserDataValue(v: unknown): boolean {
  const scalar = (x: unknown) =>
    (typeof x === 'string' && x.length <= MAX_STRING) || (typeof x === 'number' && Number.isFinite(x));
  return scalar(v) || (Array.isArray(v) && v.length <= 50 && v.every(scalar));
}
