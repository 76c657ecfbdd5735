// Pure validation of a Conversions API `data` payload (capi-contract.md section 9). Meta rejects the
// whole request when any event is invalid, so this stops at the first bad event and names it: the
// gateway bisects on code 100 and does not need the index, but humans reading logs do.

import { CUSTOMER_INFORMATION_KEYS, META_HASHED_KEYS } from '../domain/customer-information.js';
import { ACTION_SOURCES as ACTION_SOURCE_LIST } from '../domain/event.js';
import { type GraphFailure, invalidParameter } from './graph-errors.js';

export interface ValidateOptions {
  /** Unix seconds used as "now"; defaults to the clock. */
  nowSeconds?: number;
  /** How far in the future event_time may be (default 600 s). */
  futureSkewSeconds?: number;
  /** Reject plain-text values in hashed user_data fields (default true). */
  strictHashing?: boolean;
  /** Reject website events without event_source_url / client_user_agent (default false). */
  strictWebsiteFields?: boolean;
}

export type Event = Record<string, unknown>;
export type ValidationResult = { ok: true; events: Event[] } | { ok: false; failure: GraphFailure };

export const ACTION_SOURCES: ReadonlySet<string> = new Set(ACTION_SOURCE_LIST);

/** Fields Meta requires to be SHA-256 (or MD5) hashed (section 3.1). */
export const HASHED_FIELDS = META_HASHED_KEYS;

/** user_data keys that count as customer information; unknown keys are ignored. */
const IDENTIFIER_KEYS = CUSTOMER_INFORMATION_KEYS;

/** Baseline matching: identifiers that only form a subset of one of these are too broad (section 3.1). */
const WEAK_SETS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['ct', 'country', 'st', 'zp', 'ge', 'client_user_agent']),
  new Set(['db', 'client_user_agent']),
  new Set(['fn', 'ge']),
  new Set(['ln', 'ge']),
];

const DAY = 86_400;
// 64-hex SHA-256 or 32-hex MD5, optionally followed by a param-builder appendix (section 3.4).
const HASH_RE = /^(?:[0-9a-f]{64}|[0-9a-f]{32})(?:\.[A-Za-z0-9_-]+)?$/i;
const COOKIE_SEGMENT_RE = /^[^.\s]+$/;

/** Validates the `data` value of a request (already JSON-decoded, or the JSON string a form sent). */
export function validateEventsPayload(data: unknown, opts: ValidateOptions = {}): ValidationResult {
  if (data === undefined || data === null || data === '') {
    return fail(invalidParameter('The parameter data is required'));
  }
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return fail(invalidParameter('data must be a JSON-encoded array of events'));
    }
  }
  if (!Array.isArray(value)) return fail(invalidParameter('data must be an array of events'));
  if (value.length === 0) return fail(invalidParameter('data must contain at least one event'));
  if (value.length > 1000) {
    return fail(invalidParameter(`data contains ${value.length} events; at most 1000 are allowed per request`));
  }
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const resolved = {
    now,
    futureSkew: opts.futureSkewSeconds ?? 600,
    strictHashing: opts.strictHashing ?? true,
    strictWebsite: opts.strictWebsiteFields ?? false,
  };
  for (let i = 0; i < value.length; i++) {
    const failure = validateEvent(value[i], i, resolved);
    if (failure) return fail(failure);
  }
  return { ok: true, events: value as Event[] };
}

function fail(failure: GraphFailure): ValidationResult {
  return { ok: false, failure };
}

/** Absent the way Meta treats it: SDKs send optional keys as null. */
function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Resolved {
  now: number;
  futureSkew: number;
  strictHashing: boolean;
  strictWebsite: boolean;
}

function validateEvent(raw: unknown, i: number, o: Resolved): GraphFailure | null {
  const at = `data[${i}]`;
  if (!isObject(raw)) return invalidParameter(`${at} must be an object`);
  const name = raw.event_name;
  if (typeof name !== 'string' || name.trim() === '') {
    return invalidParameter(`${at}.event_name is required and must be a non-empty string`);
  }

  const source = raw.action_source;
  if (isAbsent(source)) return invalidParameter(`${at}.action_source is required`);
  if (typeof source !== 'string' || !ACTION_SOURCES.has(source)) {
    return invalidParameter(`${at}.action_source '${String(source)}' is not one of ${[...ACTION_SOURCES].join(', ')}`);
  }

  const timeFailure = checkEventTime(raw.event_time, source, at, o);
  if (timeFailure) return timeFailure;

  const ud = raw.user_data;
  if (!isObject(ud)) return invalidParameter(`${at}.user_data is required and must be an object`);
  const userFailure = checkUserData(ud, at, o.strictHashing);
  if (userFailure) return userFailure;

  if (!isAbsent(raw.custom_data) && !isObject(raw.custom_data)) {
    return invalidParameter(`${at}.custom_data must be an object`);
  }
  const dpo = raw.data_processing_options;
  if (!isAbsent(dpo)) {
    if (!Array.isArray(dpo) || dpo.some((x) => typeof x !== 'string')) {
      return invalidParameter(`${at}.data_processing_options must be an array of strings`);
    }
    if (dpo.some((x) => x.toUpperCase() === 'LDU') && isAbsent(raw.data_processing_options_country)) {
      return invalidParameter(`${at}.data_processing_options_country is required with LDU`);
    }
  }
  if (o.strictWebsite && source === 'website') {
    if (typeof raw.event_source_url !== 'string' || raw.event_source_url === '') {
      return invalidParameter(`${at}.event_source_url is required for website events`);
    }
    if (typeof ud.client_user_agent !== 'string' || ud.client_user_agent === '') {
      return invalidParameter(`${at}.user_data.client_user_agent is required for website events`);
    }
  }
  return null;
}

function checkEventTime(v: unknown, source: string, at: string, o: Resolved): GraphFailure | null {
  let t: number;
  if (typeof v === 'number') t = v;
  else if (typeof v === 'string' && /^\d+$/.test(v)) t = Number(v);
  else return invalidParameter(`${at}.event_time is required and must be an integer (Unix seconds)`);
  if (!Number.isInteger(t) || t <= 0)
    return invalidParameter(`${at}.event_time must be a positive integer (Unix seconds)`);
  if (t > 1e11) {
    return invalidParameter(`${at}.event_time ${t} looks like milliseconds; send Unix seconds`);
  }
  const maxAge = source === 'physical_store' ? 62 * DAY : 7 * DAY;
  if (o.now - t > maxAge) {
    return invalidParameter(
      `${at}.event_time ${t} is more than ${maxAge / DAY} days in the past. The timestamp for this event is too far in the past.`,
      2804003,
      'Event Timestamp Too Old',
    );
  }
  if (t - o.now > o.futureSkew) {
    return invalidParameter(
      `${at}.event_time ${t} is ${t - o.now} seconds in the future`,
      undefined,
      'Event Timestamp In Future',
    );
  }
  return null;
}

function checkUserData(ud: Record<string, unknown>, at: string, strictHashing: boolean): GraphFailure | null {
  const present: string[] = [];
  for (const key in ud) {
    const v = ud[key];
    if (isAbsent(v) || !IDENTIFIER_KEYS.has(key)) continue;
    present.push(key);
  }
  for (const key of HASHED_FIELDS) {
    const v = ud[key];
    if (isAbsent(v)) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const item of values) {
      if (typeof item !== 'string') {
        return invalidParameter(`${at}.user_data.${key} must be a string or an array of strings`);
      }
      if (strictHashing && item !== '' && !HASH_RE.test(item)) {
        return invalidParameter(
          `${at}.user_data.${key} is not hashed: expected lowercase hex SHA-256 of the normalized value`,
          undefined,
          'Unhashed Customer Information',
        );
      }
    }
  }
  for (const key of ['fbc', 'fbp'] as const) {
    const v = ud[key];
    if (isAbsent(v)) continue;
    if (typeof v !== 'string' || !isFbCookie(v)) {
      return invalidParameter(`${at}.user_data.${key} must look like fb.{subdomainIndex}.{creationTime}.{value}`);
    }
  }
  if (present.length === 0) {
    return insufficient(`${at}.user_data has no customer information parameters`);
  }
  for (const weak of WEAK_SETS) {
    if (present.every((k) => weak.has(k))) {
      return insufficient(`${at}.user_data only has ${present.join(', ')}, which is too broad to match`);
    }
  }
  return null;
}

function insufficient(detail: string): GraphFailure {
  return invalidParameter(detail, 2804050, 'Insufficient Customer Information');
}

/** `fb.{n}.{time}.{value}` with an optional param-builder appendix as a 5th segment (section 3.3). */
export function isFbCookie(v: string): boolean {
  const parts = v.split('.');
  if (parts.length !== 4 && parts.length !== 5) return false;
  if (parts[0] !== 'fb') return false;
  return parts.every((p) => COOKIE_SEGMENT_RE.test(p));
}
