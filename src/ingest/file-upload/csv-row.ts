import { createHash } from 'node:crypto';
import { buildFbc, isValidFbc } from '../../pipeline/fb-cookies.js';

// Meta's file upload columns (C.9) and one CSV row as a Conversions API server event. Pure: the
// header is read once, then each row is mapped or refused with a reason the uploader can act on.

export const COLUMNS = [
  'DATA_SET_ID',
  'EVENT_NAME',
  'EVENT_TIME',
  'ACTION_SOURCE',
  'VALUE',
  'CURRENCY',
  'CONTENT_IDS',
  'ORDER_ID',
  'EMAIL',
  'PHONE',
  'FIRST_NAME',
  'LAST_NAME',
  'DOB',
  'COUNTRY',
  'STATE',
  'CITY',
  'ZIP',
  'CLICK_ID',
  'MAD_ID',
  'EXTERNAL_ID',
  'LEAD_ID',
] as const;
export type Column = (typeof COLUMNS)[number];

/** Customer information columns and the user_data key each fills (hashed later by the pipeline). */
const USER_DATA: ReadonlyArray<[Column, string]> = [
  ['EMAIL', 'em'],
  ['PHONE', 'ph'],
  ['FIRST_NAME', 'fn'],
  ['LAST_NAME', 'ln'],
  ['DOB', 'db'],
  ['COUNTRY', 'country'],
  ['STATE', 'st'],
  ['CITY', 'ct'],
  ['ZIP', 'zp'],
  ['MAD_ID', 'madid'],
  ['EXTERNAL_ID', 'external_id'],
  ['LEAD_ID', 'lead_id'],
];

/** Per-row reasons for exclusion found in the file itself (the pipeline adds its own, e.g. `invalid`). */
export type RowErrorReason =
  | 'malformed_csv'
  | 'wrong_column_count'
  | 'missing_data_set_id'
  | 'invalid_event_time'
  | 'invalid_value'
  | 'invalid_field'
  | 'missing_lead_id';

export const MAX_COLUMNS = 200;
/** Meta's limit for a customer information or custom_data string. */
export const MAX_CELL_CHARS = 1024;
const MAX_CONTENT_IDS = 1000;
const CUSTOM_PREFIX = /^custom_data\.(.*)$/i;
const CUSTOM_KEY = /^[A-Za-z0-9_]{1,64}$/;

export interface CsvHeader {
  columns: number;
  index: ReadonlyMap<Column, number>;
  /** custom_data.<key> columns: key and position. */
  custom: ReadonlyArray<[string, number]>;
  /** Columns ignored, each with why, to show once per file. */
  warnings: string[];
}

export type HeaderResult = { ok: true; header: CsvHeader } | { ok: false; message: string };

/** Reads the header line: names are trimmed and case-insensitive; unknown columns are warned about. */
export function readHeader(cells: readonly string[]): HeaderResult {
  if (cells.length > MAX_COLUMNS) {
    return { ok: false, message: `the header has ${cells.length} columns; at most ${MAX_COLUMNS} are allowed` };
  }
  const index = new Map<Column, number>();
  const custom = new Map<string, number>();
  const warnings: string[] = [];
  const unknown: string[] = [];
  cells.forEach((cell, i) => {
    const name = cell.trim();
    const known = COLUMNS.find((c) => c === name.toUpperCase());
    const customKey = CUSTOM_PREFIX.exec(name)?.[1]?.trim();
    if (name === '') warnings.push(`column ${i + 1} has no name in the header; it is ignored`);
    else if (known) {
      if (index.has(known)) warnings.push(`column ${known} appears more than once; only the first is used`);
      else index.set(known, i);
    } else if (customKey !== undefined) {
      if (!CUSTOM_KEY.test(customKey)) {
        warnings.push(
          `column "${name.slice(0, 100)}" is ignored: custom_data keys are top-level names of letters, digits and _`,
        );
      } else if (custom.has(customKey)) {
        warnings.push(`column custom_data.${customKey} appears more than once; only the first is used`);
      } else custom.set(customKey, i);
    } else unknown.push(name.slice(0, 100));
  });
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 20).join(', ') + (unknown.length > 20 ? `, and ${unknown.length - 20} more` : '');
    warnings.push(
      `unknown columns are ignored: ${shown} (the columns are Meta's file upload headers: ${COLUMNS.join(', ')}, custom_data.<key>)`,
    );
  }
  for (const required of ['DATA_SET_ID', 'EVENT_TIME'] as const) {
    if (!index.has(required)) {
      return {
        ok: false,
        message: `the header has no ${required} column, which every row needs; the first line must name the columns (${COLUMNS.join(', ')}, custom_data.<key>)`,
      };
    }
  }
  return { ok: true, header: { columns: cells.length, index, custom: [...custom], warnings } };
}

export interface CsvEvent {
  /** The dataset (pixel) the row names. */
  dataSetId: string;
  /** A Conversions API server event; customer information still raw (the pipeline hashes it). */
  event: Record<string, unknown>;
}

export type RowResult = { ok: true; value: CsvEvent } | { ok: false; reason: RowErrorReason; detail: string };

const fail = (reason: RowErrorReason, detail: string): RowResult => ({ ok: false, reason, detail });

/** Maps one data row; every problem is a reason and a message, never a throw. */
export function mapRow(header: CsvHeader, cells: readonly string[]): RowResult {
  if (cells.length !== header.columns) {
    return fail('wrong_column_count', `the row has ${cells.length} columns; the header has ${header.columns}`);
  }
  const get = (c: Column): string => {
    const i = header.index.get(c);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  for (const [column, i] of [...header.index, ...header.custom]) {
    if ((cells[i] ?? '').length > MAX_CELL_CHARS) {
      return fail('invalid_field', `${column} is longer than ${MAX_CELL_CHARS} characters`);
    }
  }

  const dataSetId = get('DATA_SET_ID');
  if (dataSetId === '') return fail('missing_data_set_id', 'DATA_SET_ID is empty; each row names its dataset (pixel)');
  if (!/^\d{1,20}$/.test(dataSetId)) {
    return fail('invalid_field', `DATA_SET_ID "${dataSetId.slice(0, 40)}" is not a dataset (pixel) id: digits only`);
  }
  const eventName = get('EVENT_NAME') || 'Purchase';
  if (eventName.length > 100) return fail('invalid_field', 'EVENT_NAME is longer than 100 characters');
  const eventTime = parseEventTime(get('EVENT_TIME'));
  if (eventTime === null) {
    const raw = get('EVENT_TIME');
    return fail(
      'invalid_event_time',
      raw === ''
        ? 'EVENT_TIME is empty'
        : `EVENT_TIME "${raw.slice(0, 40)}" is not "YYYY-MM-DD HH:mm:ss" (UTC), epoch seconds or ISO 8601`,
    );
  }

  const customData: Record<string, unknown> = {};
  for (const [key, i] of header.custom) {
    const v = (cells[i] ?? '').trim();
    if (v !== '') customData[key] = v;
  }
  const rawValue = get('VALUE');
  const rawCurrency = get('CURRENCY');
  if (rawValue !== '') {
    if (!/^-?\d+(\.\d+)?$/.test(rawValue)) {
      return fail(
        'invalid_value',
        `VALUE "${rawValue.slice(0, 40)}" is not a number (digits and an optional "." only)`,
      );
    }
    customData.value = Number(rawValue);
  }
  if (rawCurrency !== '') {
    if (!/^[A-Za-z]{3}$/.test(rawCurrency)) {
      return fail('invalid_value', `CURRENCY "${rawCurrency.slice(0, 40)}" is not a 3-letter ISO 4217 code`);
    }
    customData.currency = rawCurrency.toUpperCase();
  }
  // Meta requires value and currency on a Purchase; the file format documents 0 and USD as defaults.
  if (eventName === 'Purchase' || rawValue !== '') {
    customData.value ??= 0;
    customData.currency ??= 'USD';
  }
  const contentIds = get('CONTENT_IDS')
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (contentIds.length > MAX_CONTENT_IDS) {
    return fail('invalid_field', `CONTENT_IDS has ${contentIds.length} ids; at most ${MAX_CONTENT_IDS}`);
  }
  if (contentIds.length > 0) customData.content_ids = contentIds;
  const orderId = get('ORDER_ID');
  if (orderId !== '') customData.order_id = orderId;

  const userData: Record<string, string> = {};
  for (const [column, key] of USER_DATA) {
    const v = get(column);
    if (v !== '') userData[key] = v;
  }
  const clickId = get('CLICK_ID');
  if (clickId !== '') {
    const fbc = fbcOf(clickId, eventTime);
    if (!fbc)
      return fail('invalid_field', `CLICK_ID "${clickId.slice(0, 40)}" is neither an fbc (fb.1.…) nor an fbclid`);
    userData.fbc = fbc;
  }
  if (eventName === 'Lead' && !userData.lead_id) {
    return fail('missing_lead_id', 'LEAD_ID is required for a Lead event');
  }

  const event: Record<string, unknown> = {
    event_name: eventName,
    event_time: eventTime,
    action_source: (get('ACTION_SOURCE') || 'physical_store').toLowerCase(),
    user_data: userData,
    custom_data: customData,
  };
  // The order id names the purchase; without one, the row's content does, so the same row uploaded
  // again (in this file or a later one) is the same event and is deduplicated.
  event.event_id = orderId !== '' ? orderId : `csv_${rowHash(dataSetId, event)}`;
  return { ok: true, value: { dataSetId, event } };
}

/**
 * Seconds since the epoch from "YYYY-MM-DD HH:mm:ss" (UTC), epoch seconds, or ISO 8601 (a date, or a
 * date and time with an optional zone; none means UTC). Null when it is none of these or not a date.
 */
export function parseEventTime(raw: string): number | null {
  const v = raw.trim();
  if (/^\d{1,12}$/.test(v)) return Number(v);
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(v);
  if (!m) return null;
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const y = n(1);
  const mo = n(2);
  const d = n(3);
  const h = n(4);
  const mi = n(5);
  const s = n(6);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const date = new Date(ms);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  let offsetMin = 0;
  const zone = m[7];
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    if (!z || Number(z[2]) > 23 || Number(z[3]) > 59) return null;
    offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  return Math.floor(ms / 1000) - offsetMin * 60;
}

/** An fbc as is, or a bare fbclid made into one with the event's time as its creation time. */
function fbcOf(clickId: string, eventTimeSec: number): string | null {
  if (clickId.startsWith('fb.')) return isValidFbc(clickId) ? clickId : null;
  return /^[A-Za-z0-9_-]{1,500}$/.test(clickId) ? buildFbc(clickId, eventTimeSec * 1000) : null;
}

/** SHA-256 of the row's values in a fixed key order, whatever the order of the file's columns. */
function rowHash(dataSetId: string, event: Record<string, unknown>): string {
  return createHash('sha256').update(canonical({ dataSetId, event })).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
