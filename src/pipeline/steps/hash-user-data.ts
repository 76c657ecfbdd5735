// Normalizes and SHA-256-hashes customer information the way Meta expects it (capi-contract.md 3.1-3.4).
// Invalid values are dropped, never thrown: one bad field must not reject an event.

import { createHash } from 'node:crypto';
import { META_HASHED_KEYS, NEVER_HASHED_KEYS, SDK_HASHED_KEYS } from '../../domain/customer-information.js';
import type { UserData } from '../../domain/event.js';
import { ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';
import { COUNTRY_NAME_CODES, ISO_COUNTRY_CODES, US_STATE_CODES } from './user-data-tables.js';

/** Keys hashed here: Meta's and the SDK-only extras. */
export const HASHED_KEYS: ReadonlySet<string> = new Set([...META_HASHED_KEYS, ...SDK_HASHED_KEYS]);
export { NEVER_HASHED_KEYS };

/** SHA-256 (64 hex) or MD5 (32 hex), optionally with a param-builder appendix of 2 or 8 base64url chars. */
const PREHASHED = /^([0-9a-fA-F]{64}|[0-9a-fA-F]{32})(\.(?:[A-Za-z0-9_-]{2}|[A-Za-z0-9_-]{8}))?$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/u;
const NOT_NAME_CHAR = /[^\p{L}\p{M}\p{N}]/gu;
const NOT_LETTER = /[^\p{L}\p{M}]/gu;

type Normalizer = (raw: string, ctx: NormalizeContext) => string | null;

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** If the value is already hashed, the value with its hex lowercased and any appendix kept; else null. */
export function prehashed(value: string): string | null {
  const m = PREHASHED.exec(value.trim());
  if (!m) return null;
  return (m[1] as string).toLowerCase() + (m[2] ?? '');
}

/** Lowercase, diacritics removed, anything but letters/digits turned into single spaces: for table lookups. */
function lookupKey(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[.'’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function normalizeEmail(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  return v.length <= 254 && EMAIL.test(v) ? v : null;
}

/** Where the event's own `country` says the customer is; lets a national US/CA phone get its `1`. */
export interface NormalizeContext {
  /** Normalized ISO alpha-2 country of the same user_data, when exactly one is known. */
  country?: string | null;
}

const NANP_COUNTRIES = new Set(['us', 'ca']);

/**
 * Digits only, leading zeros dropped, 7..15 digits. A bare 10-digit North American number
 * (no `+`, no leading zeros) gets the `1` country code when the event's country is us or ca.
 */
function normalizePhone(raw: string, ctx: NormalizeContext): string | null {
  const digits = raw.replace(/[^0-9]/g, '');
  let v = digits.replace(/^0+/, '');
  const national = !raw.includes('+') && v === digits && /^[2-9]\d{9}$/.test(v);
  if (national && ctx.country && NANP_COUNTRIES.has(ctx.country)) v = `1${v}`;
  return v.length >= 7 && v.length <= 15 ? v : null;
}

/** Names: lowercase, whitespace, punctuation and symbols removed; non-Latin letters kept. */
function normalizeName(raw: string): string | null {
  const v = raw.toLowerCase().replace(NOT_NAME_CHAR, '');
  return v || null;
}

function firstChars(raw: string, n: number): string | null {
  const v = normalizeName(raw);
  return v ? Array.from(v).slice(0, n).join('') : null;
}

function normalizeGender(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  if (v === 'f' || v === 'female') return 'f';
  if (v === 'm' || v === 'male') return 'm';
  return null;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function validYear(y: number): boolean {
  return Number.isInteger(y) && y >= 1900 && y <= new Date().getUTCFullYear();
}

/** YYYYMMDD when y/m/d is a real calendar date with a plausible year, else null. */
function ymd(y: number, m: number, d: number): string | null {
  if (!validYear(y) || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${y}${pad2(m)}${pad2(d)}`;
}

/**
 * Date of birth -> YYYYMMDD. Accepts YYYYMMDD, YYYY-MM-DD (also with a time part), YYYY/M/D,
 * M/D/YYYY, MM-DD-YYYY, D.M.YYYY (day first only when the first group cannot be a month).
 */
function normalizeDob(raw: string): string | null {
  const v = raw.trim();
  if (/^\d{8}$/.test(v)) {
    const n = (a: number, b: number) => Number(v.slice(a, b));
    return ymd(n(0, 4), n(4, 6), n(6, 8)) ?? ymd(n(4, 8), n(0, 2), n(2, 4)) ?? ymd(n(4, 8), n(2, 4), n(0, 2));
  }
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ]\d/.exec(v);
  const date = iso ? `${iso[1]}-${iso[2]}-${iso[3]}` : v;
  if (!/^\d{1,4}[-/. ]+\d{1,2}[-/. ]+\d{1,4}$/.test(date)) return null;
  const g = date.split(/[-/. ]+/);
  const [a, b, c] = g.map(Number) as [number, number, number];
  if ((g[0] as string).length === 4) return ymd(a, b, c);
  if ((g[2] as string).length !== 4) return null;
  return a > 12 && b <= 12 ? ymd(c, b, a) : ymd(c, a, b);
}

function normalizeDayOrMonth(raw: string, max: number): string | null {
  const v = raw.trim();
  if (!/^\d{1,2}$/.test(v)) return null;
  const n = Number(v);
  return n >= 1 && n <= max ? pad2(n) : null;
}

function normalizeDobYear(raw: string): string | null {
  const v = raw.trim();
  return /^\d{4}$/.test(v) && validYear(Number(v)) ? v : null;
}

function normalizeCity(raw: string): string | null {
  const v = raw.toLowerCase().replace(NOT_NAME_CHAR, '');
  return v || null;
}

function normalizeState(raw: string): string | null {
  const code = US_STATE_CODES.get(lookupKey(raw));
  if (code) return code;
  const v = raw.toLowerCase().replace(NOT_LETTER, '');
  return v || null;
}

function normalizeZip(raw: string): string | null {
  const v = (raw.toLowerCase().split('-', 1)[0] as string).replace(NOT_NAME_CHAR, '');
  if (/^\d{9}$/.test(v)) return v.slice(0, 5);
  return v.length >= 2 ? v : null;
}

function normalizeCountry(raw: string): string | null {
  const key = lookupKey(raw);
  const compact = key.replace(/ /g, '');
  if (compact.length === 2) return ISO_COUNTRY_CODES.has(compact) ? compact : (COUNTRY_NAME_CODES.get(compact) ?? null);
  return COUNTRY_NAME_CODES.get(key) ?? COUNTRY_NAME_CODES.get(key.replace(/^the /, '')) ?? null;
}

function normalizeExternalId(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  return v || null;
}

const NORMALIZERS: ReadonlyMap<string, Normalizer> = new Map(
  Object.entries({
    em: normalizeEmail,
    ph: normalizePhone,
    fn: normalizeName,
    ln: normalizeName,
    ge: normalizeGender,
    db: normalizeDob,
    ct: normalizeCity,
    st: normalizeState,
    zp: normalizeZip,
    country: normalizeCountry,
    external_id: normalizeExternalId,
    f5first: (raw) => firstChars(raw, 5),
    f5last: (raw) => firstChars(raw, 5),
    fi: (raw) => firstChars(raw, 1),
    dobd: (raw) => normalizeDayOrMonth(raw, 31),
    dobm: (raw) => normalizeDayOrMonth(raw, 12),
    doby: normalizeDobYear,
  } satisfies Record<string, Normalizer>),
);

/** Normalizes one raw value of a hashed key; null when it is not usable. Exported for tests and tools. */
export function normalizeValue(key: string, value: unknown, ctx: NormalizeContext = {}): string | null {
  const normalizer = NORMALIZERS.get(key);
  if (!normalizer) return null;
  let raw: string;
  if (typeof value === 'string') raw = value;
  else if (typeof value === 'number' && Number.isFinite(value)) raw = String(value);
  else return null;
  if (raw.length > 1024) return null;
  return normalizer(raw.normalize('NFC'), ctx);
}

/** The value Meta gets for one raw value of a hashed key: passed through if already hashed, else hashed. */
export function hashValue(key: string, value: unknown, ctx: NormalizeContext = {}): string | null {
  if (typeof value === 'string') {
    const pre = prehashed(value);
    if (pre) return pre;
  }
  const normalized = normalizeValue(key, value, ctx);
  return normalized === null ? null : sha256Hex(normalized);
}

function hashField(key: string, value: unknown, ctx: NormalizeContext): string | string[] | undefined {
  if (Array.isArray(value)) {
    const out = [...new Set(value.map((v) => hashValue(key, v, ctx)).filter((v): v is string => v !== null))];
    return out.length > 0 ? out : undefined;
  }
  return hashValue(key, value, ctx) ?? undefined;
}

/** The one country a raw user_data names (pre-hashed values tell nothing), or null. */
function contextOf(userData: UserData): NormalizeContext {
  const raw = userData.country;
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v) => typeof v === 'string' && !prehashed(v));
  const countries = new Set(values.map((v) => normalizeValue('country', v)).filter((v) => v !== null));
  return { country: countries.size === 1 ? ([...countries][0] as string) : null };
}

function clearField(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() || undefined;
  if (Array.isArray(value)) {
    const out = value.map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '' && v != null);
    return out.length > 0 ? out : undefined;
  }
  return value ?? undefined;
}

/** A new user_data object ready for Meta: hashed keys normalized and hashed, the rest passed through. */
export function normalizeUserData(userData: UserData): UserData {
  const out: UserData = {};
  const ctx = contextOf(userData ?? {});
  for (const [key, value] of Object.entries(userData ?? {})) {
    if (value === undefined || value === null || key === '__proto__') continue;
    let result: unknown;
    if (HASHED_KEYS.has(key)) result = hashField(key, value, ctx);
    else if (NEVER_HASHED_KEYS.has(key)) result = clearField(value);
    else result = value;
    if (result !== undefined) out[key] = result as UserData[string];
  }
  return out;
}

export const hashUserDataStep: Step = (e) =>
  ok({ ...e, event: { ...e.event, user_data: normalizeUserData(e.event.user_data) } });
