// Part of the capig first-party tag (see events.js, which includes this file where it says so):
// event ids and the first-party _fbp / _fbc cookies. Same rules as events.js: ES2018, nothing may
// throw into the page, only whole-line `//` comments. It runs inside events.js' closure, so `w`,
// `d`, `state` and the constants there are in scope.
function randomBytes(n) {
  const b = new Uint8Array(n);
  try {
    w.crypto.getRandomValues(b);
  } catch (_e) {
    for (let i = 0; i < n; i++) b[i] = Math.floor(Math.random() * 256);
  }
  return b;
}

// crypto.randomUUID exists only in secure contexts; elsewhere a v4 UUID from getRandomValues.
function newId() {
  try {
    if (w.crypto && typeof w.crypto.randomUUID === 'function') return w.crypto.randomUUID();
  } catch (_e) {
    // never into the page
  }
  const b = randomBytes(16);
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  let h = '';
  for (let i = 0; i < 16; i++) {
    h += (b[i] + 256).toString(16).slice(1) + (i === 3 || i === 5 || i === 7 || i === 9 ? '-' : '');
  }
  return h;
}

// A random integer in [1, 2^31 - 1] for _fbp.
function randomInt() {
  const b = randomBytes(4);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) & 0x7fffffff || 1;
}

function readCookie(name) {
  const parts = String(d.cookie || '').split(';');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i].trim();
    if (p.indexOf(`${name}=`) === 0) return p.slice(name.length + 1);
  }
  return null;
}

function writeCookie(name, value, domain, maxAge) {
  d.cookie =
    `${name}=${value}; path=/; max-age=${maxAge}` +
    (domain ? `; domain=${domain}` : '') +
    '; SameSite=Lax' +
    (w.location.protocol === 'https:' ? '; Secure' : '');
}

// The top-most domain the browser accepts a cookie on (example.com for www.shop.example.com,
// example.co.uk for shop.example.co.uk): try from the shortest suffix up with a probe cookie.
// Host-only ('') for IP addresses or when no candidate works.
function cookieDomain() {
  const host = w.location.hostname || '';
  if (/^[\d.]+$/.test(host) || host.indexOf(':') >= 0 || host.charAt(0) === '[') return '';
  const labels = host.split('.');
  const token = String(randomInt());
  for (let i = labels.length - 1; i >= 0; i--) {
    const candidate = labels.slice(i).join('.');
    writeCookie('_capig_probe', token, candidate, 10);
    if (readCookie('_capig_probe') === token) {
      writeCookie('_capig_probe', '', candidate, 0);
      return candidate;
    }
  }
  return '';
}

function validFbCookie(v, maxSegments) {
  return typeof v === 'string' && COOKIE_SAFE.test(v) && FB_COOKIE.test(v) && v.split('.').length <= maxSegments;
}

// The fbclid of the landing URL, exactly as sent (case kept); also after `?` in the hash (hash routers).
function fbclidOfUrl() {
  let v = null;
  try {
    v = new URLSearchParams(w.location.search).get('fbclid');
    const hash = w.location.hash || '';
    if (!v && hash.indexOf('?') >= 0) v = new URLSearchParams(hash.slice(hash.indexOf('?') + 1)).get('fbclid');
  } catch (_e) {
    v = null;
  }
  return v && COOKIE_SAFE.test(v) ? v : null;
}

// Whether an _fbc was made from this fbclid (with or without a trailing param-builder appendix).
function fbcCarries(fbc, fbclid) {
  const rest = fbc.split('.').slice(3);
  return rest.join('.') === fbclid || (rest.length > 1 && rest.slice(0, -1).join('.') === fbclid);
}

// _fbp / _fbc (capi-contract.md 3.3), made the first time an event is actually sent, so a page that
// revoked consent before its first event gets no cookies from us either.
function ensureCookies() {
  if (state.cookies) return state.cookies;
  const c = { domain: '', fbp: null, fbc: null };
  state.cookies = c;
  const now = Date.now();
  try {
    c.domain = cookieDomain();
    const index = (c.domain || w.location.hostname || '').split('.').length - 1;
    let fbp = readCookie('_fbp');
    if (!validFbCookie(fbp, 5)) fbp = `fb.${index}.${now}.${randomInt()}`;
    // Re-set even when present: a rolling 90 days, as the pixel does.
    writeCookie('_fbp', fbp, c.domain, NINETY_DAYS_S);
    c.fbp = fbp;
    let fbc = readCookie('_fbc');
    if (!validFbCookie(fbc, 99)) fbc = null;
    const fbclid = fbclidOfUrl();
    if (fbclid && !(fbc && fbcCarries(fbc, fbclid))) {
      fbc = `fb.${index}.${now}.${fbclid}`;
      writeCookie('_fbc', fbc, c.domain, NINETY_DAYS_S);
    }
    c.fbc = fbc;
  } catch (_e) {
    // never into the page
  }
  return c;
}

// The cookies as they are now (another script may have changed them), else what we made.
function currentCookie(name, maxSegments, fallback) {
  try {
    const v = readCookie(name);
    if (validFbCookie(v, maxSegments)) return v;
  } catch (_e) {
    // never into the page
  }
  return fallback;
}
