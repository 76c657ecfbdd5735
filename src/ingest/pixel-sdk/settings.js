// Part of the capig first-party tag (see events.js, which includes this file where it says so): a
// Signals Gateway pixel's settings (updateGatewayPixelConfig), embedded by the gateway when it serves
// the tag of that pixel, and the in-page hashing of advanced matching. Same rules as events.js: ES2018,
// nothing may throw into the page, only whole-line `//` comments. It runs inside events.js' closure,
// so `w`, `state` and `noop` are in scope.
//
// state.conf[pixelId] holds the settings of the pixel the tag was served for (none for a Meta pixel,
// nor for other ids the page initializes with cbq): a switch left out keeps the default behaviour.
// - enabledStatus false: nothing is sent for the pixel (its calls are accepted and ignored).
// - enableFirstPartyCookie false: no _fbp / _fbc is written for its events (existing ones are sent).
// - enableAutomaticForkMetaPixelEvent: fork mode for the pixel without cbq('set', 'integrationMethod').
// - aamFields (non-empty): only these advanced matching keys are sent.
// - enableContactDataHash: advanced matching is normalized and SHA-256-hashed here, as the gateway's
//   hash step would (src/pipeline/steps/hash-user-data.ts), so the plain values never leave the page.
//   Values the gateway takes as already hashed pass as they are; a value that cannot be normalized, or
//   any value where crypto.subtle is missing (pages that are not a secure context), is left out.

// What the gateway takes as already hashed: SHA-256 or MD5 hex, with an optional param-builder appendix.
const PREHASHED = /^([0-9a-fA-F]{64}|[0-9a-fA-F]{32})(\.(?:[A-Za-z0-9_-]{2}|[A-Za-z0-9_-]{8}))?$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/u;
const NOT_NAME_CHAR = /[^\p{L}\p{M}\p{N}]/gu;
const NOT_LETTER = /[^\p{L}\p{M}]/gu;

function parseSettings(json) {
  try {
    const s = JSON.parse(json);
    return s && typeof s === 'object' && !Array.isArray(s) ? s : null;
  } catch (_e) {
    return null;
  }
}

function settingsOf(pid) {
  return state.conf[pid] || {};
}

function sendsFor(pid) {
  return settingsOf(pid).enabledStatus !== false;
}

function writesCookiesFor(pid) {
  return settingsOf(pid).enableFirstPartyCookie !== false;
}

function autoForks(pid) {
  return settingsOf(pid).enableAutomaticForkMetaPixelEvent === true;
}

function hashesFor(pid) {
  return settingsOf(pid).enableContactDataHash === true;
}

// The advanced matching a pixel sends: only the keys of its aamFields, when it lists any.
function matchingFor(pid, am) {
  const out = Object.assign({}, am);
  const fields = settingsOf(pid).aamFields;
  if (!Array.isArray(fields) || fields.length === 0) return out;
  Object.keys(out).forEach((k) => {
    if (fields.indexOf(k) < 0) delete out[k];
  });
  return out;
}

// Runs `work` (which may answer a promise) after the pixel's earlier queued work, so its events go
// out in call order even while some wait for hashing.
function inTurn(pid, work) {
  const prev = state.turns[pid] || Promise.resolve();
  state.turns[pid] = prev.then(work).catch(noop);
}

const pad2 = (n) => (n < 10 ? `0${n}` : String(n));

// YYYYMMDD when y/m/d is a real date with a plausible year, else null.
function ymd(y, m, d) {
  if (!(y >= 1900 && y <= new Date().getUTCFullYear()) || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return String(y) + pad2(m) + pad2(d);
}

// Date of birth as the gateway reads it: YYYYMMDD, YYYY-MM-DD (also with a time), YYYY/M/D, M/D/YYYY,
// D.M.YYYY (day first only when the first group cannot be a month).
function normalizeDob(raw) {
  const v = raw.trim();
  if (/^\d{8}$/.test(v)) {
    const n = (a, b) => Number(v.slice(a, b));
    return ymd(n(0, 4), n(4, 6), n(6, 8)) || ymd(n(4, 8), n(0, 2), n(2, 4)) || ymd(n(4, 8), n(2, 4), n(0, 2));
  }
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ]\d/.exec(v);
  const date = iso ? `${iso[1]}-${iso[2]}-${iso[3]}` : v;
  if (!/^\d{1,4}[-/. ]+\d{1,2}[-/. ]+\d{1,4}$/.test(date)) return null;
  const g = date.split(/[-/. ]+/);
  const a = Number(g[0]);
  const b = Number(g[1]);
  const c = Number(g[2]);
  if (g[0].length === 4) return ymd(a, b, c);
  if (g[2].length !== 4) return null;
  return a > 12 && b <= 12 ? ymd(c, b, a) : ymd(c, a, b);
}

// Digits only, leading zeros dropped, 7 to 15 digits; a bare 10-digit North American number gets its
// `1` when the page's country is us or ca (the gateway can no longer add it to a hash).
function normalizePhone(raw, country) {
  const digits = raw.replace(/[^0-9]/g, '');
  let v = digits.replace(/^0+/, '');
  const national = raw.indexOf('+') < 0 && v === digits && /^[2-9]\d{9}$/.test(v);
  if (national && (country === 'us' || country === 'ca')) v = `1${v}`;
  return v.length >= 7 && v.length <= 15 ? v : null;
}

// One value, normalized as the gateway's hash step does; null when it is not usable.
function normalizeMatch(k, raw, country) {
  const v = raw.normalize('NFC');
  if (v.length > 1024) return null;
  const lower = v.trim().toLowerCase();
  const nameChars = () => v.toLowerCase().replace(NOT_NAME_CHAR, '') || null;
  if (k === 'em') return lower.length <= 254 && EMAIL.test(lower) ? lower : null;
  if (k === 'ph') return normalizePhone(v, country);
  if (k === 'fn' || k === 'ln' || k === 'ct') return nameChars();
  if (k === 'ge') return lower === 'f' || lower === 'female' ? 'f' : lower === 'm' || lower === 'male' ? 'm' : null;
  if (k === 'db') return normalizeDob(v);
  if (k === 'st') return v.toLowerCase().replace(NOT_LETTER, '') || null;
  if (k === 'zp') {
    const z = lower.split('-', 1)[0].replace(NOT_NAME_CHAR, '');
    if (/^\d{9}$/.test(z)) return z.slice(0, 5);
    return z.length >= 2 ? z : null;
  }
  // A two-letter code ('US', 'u.s.'); country names are left out (the gateway maps them with tables).
  if (k === 'country') {
    const c = lower.replace(/[^a-z]/g, '');
    return c.length === 2 ? c : null;
  }
  if (k === 'external_id') return lower || null;
  return null;
}

function sha256Hex(s) {
  return w.crypto.subtle.digest('SHA-256', new w.TextEncoder().encode(s)).then((buf) => {
    const b = new Uint8Array(buf);
    let h = '';
    for (let i = 0; i < b.length; i++) h += (b[i] + 256).toString(16).slice(1);
    return h;
  });
}

// One advanced matching value for the wire: as it is when already hashed, else its hash; null to leave out.
function hashedValue(k, v, country) {
  try {
    if (typeof v !== 'string') return null;
    const m = PREHASHED.exec(v.trim());
    if (m) return m[1].toLowerCase() + (m[2] || '');
    const n = normalizeMatch(k, v, country);
    return n === null ? null : sha256Hex(n).catch(() => null);
  } catch (_e) {
    return null;
  }
}

// Advanced matching with every value hashed (a promise that never rejects); {} when this page cannot hash.
function hashedMatching(am) {
  try {
    const subtle = w.crypto ? w.crypto.subtle : null;
    if (!subtle || typeof w.TextEncoder !== 'function') return Promise.resolve({});
    const keys = Object.keys(am);
    const rawCountry = typeof am.country === 'string' && !PREHASHED.test(am.country.trim()) ? am.country : null;
    const country = rawCountry === null ? null : normalizeMatch('country', rawCountry, null);
    return Promise.all(keys.map((k) => hashedValue(k, am[k], country)))
      .then((values) => {
        const out = {};
        for (let i = 0; i < keys.length; i++) if (typeof values[i] === 'string') out[keys[i]] = values[i];
        return out;
      })
      .catch(() => ({}));
  } catch (_e) {
    return Promise.resolve({});
  }
}
