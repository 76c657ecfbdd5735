// Pure helpers for Meta's first-party `_fbc` / `_fbp` cookies (capi-contract.md 3.3, 3.4 and 8).
// fbc = fb.{subdomainIndex}.{creationTimeMs}.{fbclid}[.{appendix}]
// fbp = fb.{subdomainIndex}.{creationTimeMs}.{random}[.{appendix}]

import { randomInt } from 'node:crypto';

const MAX_COOKIES = 50;
const MAX_COOKIE_HEADER = 16_384;
const MAX_VALUE_LENGTH = 1_024;
const MAX_URL_LENGTH = 16_384;

/** Printable ASCII that can sit in a cookie value unquoted: no space, `"`, `,`, `;` or `\`. */
const COOKIE_SAFE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;
/** RFC 7230 token, for cookie names. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const SUBDOMAIN_INDEX = /^\d{1,2}$/;
const CREATION_MS = /^\d{1,16}$/;

function safeDecode(v: string): string {
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function usableFbclid(v: string | null | undefined): string | null {
  return v && v.length <= MAX_VALUE_LENGTH && COOKIE_SAFE.test(v) ? v : null;
}

/**
 * The `fbclid` query parameter of a URL, exactly as sent (case kept), or null. Never throws:
 * relative URLs, a query inside a `#` fragment (hash routers) and unparsable URLs are handled.
 * Values that could not be stored in a cookie as-is (spaces, `;`, `,`, quotes, over 1 KiB) give null.
 */
export function fbclidFromUrl(url: string | null | undefined): string | null {
  if (typeof url !== 'string' || url === '' || url.length > MAX_URL_LENGTH) return null;
  // Most URLs carry no click id, and parsing every event's URL showed in profiles. Without a
  // percent-escape, a parameter named fbclid can only be there as that literal text.
  if (!url.includes('fbclid') && !url.includes('%')) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url, 'http://localhost/');
  } catch {
    parsed = null;
  }
  if (parsed) {
    const fromQuery = parsed.searchParams.get('fbclid');
    if (fromQuery) return usableFbclid(fromQuery);
    const q = parsed.hash.indexOf('?');
    if (q < 0) return null;
    return usableFbclid(new URLSearchParams(parsed.hash.slice(q + 1)).get('fbclid'));
  }
  const m = /[?&#]fbclid=([^&#]*)/.exec(url);
  return m ? usableFbclid(safeDecode(m[1] as string)) : null;
}

/** `fb.{subdomainIndex}.{creationTimeMs}.{fbclid}`; the fbclid is kept exactly (never re-cased or cut). */
export function buildFbc(fbclid: string, creationTimeMs: number, subdomainIndex = 1): string {
  return `fb.${subdomainIndex}.${Math.floor(creationTimeMs)}.${fbclid}`;
}

/** `fb.{subdomainIndex}.{creationTimeMs}.{random}` with a random integer in [1, 2^31 - 1). */
export function buildFbp(
  creationTimeMs: number,
  random: number = randomInt(1, 2147483647),
  subdomainIndex = 1,
): string {
  return `fb.${subdomainIndex}.${Math.floor(creationTimeMs)}.${random}`;
}

function segments(v: unknown): string[] | null {
  if (typeof v !== 'string' || v.length > MAX_VALUE_LENGTH || !COOKIE_SAFE.test(v)) return null;
  const s = v.split('.');
  if (s.length < 4 || s[0] !== 'fb') return null;
  if (!SUBDOMAIN_INDEX.test(s[1] as string) || !CREATION_MS.test(s[2] as string)) return null;
  return s.slice(3).every((seg) => seg.length > 0) ? s : null;
}

/**
 * A plausible `_fbc` value: `fb`, subdomain index, creation ms, then the fbclid and an optional
 * param-builder appendix. Lenient after the third segment (any non-empty, cookie-safe segments),
 * so an fbclid with a `.` in it or an unknown appendix is still accepted and round-tripped.
 */
export function isValidFbc(v: unknown): v is string {
  return segments(v) !== null;
}

/** A plausible `_fbp` value: `fb`, subdomain index, creation ms, random, optional appendix (4 or 5 segments). */
export function isValidFbp(v: unknown): v is string {
  const s = segments(v);
  return s !== null && s.length <= 5;
}

/** Whether an (already valid) fbc was made from this fbclid, with or without a trailing appendix. */
function fbcCarries(fbc: string, fbclid: string): boolean {
  const rest = fbc.split('.').slice(3);
  return rest.join('.') === fbclid || (rest.length > 1 && rest.slice(0, -1).join('.') === fbclid);
}

/**
 * The fbc to use for a hit: the existing cookie unless the URL carries an fbclid the cookie was not
 * made from, in which case a new one with `nowMs` as creation time. An invalid existing cookie is
 * ignored (null unless the URL has an fbclid).
 */
export function fbcFromClickId(
  existingFbc: string | null,
  url: string | null,
  nowMs: number,
  subdomainIndex = 1,
): string | null {
  const existing = isValidFbc(existingFbc) ? existingFbc : null;
  const fbclid = fbclidFromUrl(url);
  if (!fbclid) return existing;
  if (existing && fbcCarries(existing, fbclid)) return existing;
  return buildFbc(fbclid, nowMs, subdomainIndex);
}

/**
 * Parses a `Cookie` request header into name -> value. Never throws; malformed pairs are skipped,
 * the first occurrence of a name wins, surrounding quotes are removed, %-escapes decoded when valid.
 * At most 50 cookies and the first 16 KiB of the header are read. The result has no prototype, so
 * a cookie named `__proto__` or `constructor` is just data.
 */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (typeof header !== 'string' || header === '') return out;
  let count = 0;
  for (const pair of header.slice(0, MAX_COOKIE_HEADER).split(';')) {
    if (count >= MAX_COOKIES) break;
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!name || !TOKEN.test(name) || name in out) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out[name] = safeDecode(value);
    count++;
  }
  return out;
}
