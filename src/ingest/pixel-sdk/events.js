// capig first-party tag: the source of GET /sdk/{pixelId}/events.js (rendered by ../pixel-sdk.ts, which
// substitutes the two quoted placeholders at the bottom and the pixel's settings (a JSON text, see
// settings.js) at the top with JSON strings). Two ways in:
// - Next to the standard Meta Pixel snippet: every fbq track / trackCustom / trackSingle / trackSingleCustom
//   call gets an eventID (the page's own, or a fresh one handed on to Meta's pixel), and the same event is
//   mirrored to `${endpoint}/events` in the body shape of src/ingest/browser-event.ts, so Meta deduplicates
//   the pixel's copy against the gateway's.
// - As the Signals Gateway pixel: the `cbq` API (cbq.js), loaded by the snippet of
//   ../pixel-sdk.ts#gatewayPixelHeaderCode; in fork mode fbq calls are also sent as cbq events.
// Consent (fbq or cbq 'consent'): once the page said anything, each event carries `consent: "granted"` or
// `"denied"`; denied events are still sent (the gateway applies the account's policy) but no cookie is
// written for them.
//
// Rules for this file: ES2018 (no `?.`, `??`, optional catch binding, class fields), no dependencies,
// nothing may throw into the page, nothing blocks. It is served with whole-line `//` comments and
// indentation stripped, so it uses no block comments and no multi-line strings or templates.
//
// How fbq is wrapped, whatever the load order of the snippet, fbevents.js and this tag:
// - window.fbq and window._fbq become accessor properties. The getter returns a Proxy of the function
//   that is really there: the snippet's queueing stub, or anything fbevents.js (or another script)
//   assigns later, which the setter simply records. Calling the Proxy runs intercept() and then the real
//   function with the (possibly extended) arguments; every property read or write (callMethod, queue,
//   loaded, version, instance, registerPlugin, ...) goes to the real function itself, so fbevents.js, its
//   plugins and config scripts see exactly what they would without us. There is one Proxy per function,
//   so `window.fbq === window._fbq` stays true when it was true.
// - While nothing is assigned the getter returns undefined, so a snippet running after this tag still
//   creates its stub and loads fbevents.js (`if (f.fbq) return;`).
// - Calls already waiting in the stub's queue when the tag (or another pixel's copy of it) loads are
//   handled too: each queue entry is replaced by its intercepted copy, which fbevents.js replays.
// - A backing-off check (every 0.25 s, slowing to every 5 s) re-installs the accessor if a script
//   redefines or deletes the property; if the property cannot be redefined (a global `var fbq`), the
//   check assigns the Proxy instead. Someone else's accessor (likely wrapping ours) is left alone.
// - Mirroring is idempotent per pixel + event name + eventID, so a library replaying calls through
//   window.fbq cannot make us send an event twice.
((w, d, pixelId, endpoint) => {
  const SETTINGS_JSON = '__CAPIG_PIXEL_SETTINGS__';
  const AM_KEYS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country', 'external_id'];
  const NINETY_DAYS_S = 7776000;
  // Printable ASCII that can sit in a cookie value unquoted (as in src/pipeline/fb-cookies.ts).
  const COOKIE_SAFE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{1,1024}$/;
  const FB_COOKIE = /^fb\.\d{1,2}\.\d{1,16}(\.[^.]+)+$/;

  const state = {
    // Meta pixel id -> gateway endpoint (no trailing slash): fbq calls for it are mirrored
    pixels: {},
    // Signals Gateway pixel id -> gateway endpoint, from cbq('init') (the host set when it was initialized)
    sg: {},
    // pixel id (either kind) -> advanced matching from fbq / cbq('init', id, {...})
    am: {},
    // Meta pixel ids the page initialized with fbq('init') -> true
    fbqInits: {},
    // Meta pixel id -> Signals Gateway pixel ids, from fbq('set', 'cId', sgPixelId, metaPixelId)
    links: {},
    // cbq('setHost'): where pixels initialized from now on send; the rendered endpoint by default
    host: '',
    // cbq('set', 'integrationMethod', 'forkFromSnippetCode@...'): fbq events are forked into cbq
    fork: false,
    // null while the page has said nothing about consent, then 'granted' or 'denied'
    consent: null,
    seen: new Set(),
    cookies: null,
    // pixel id -> the Signals Gateway pixel's settings the gateway served with its tag (settings.js)
    conf: {},
    // pixel id -> the promise its events wait behind while advanced matching is hashed
    turns: {},
  };
  const proxyOf = new WeakMap();
  const targetOf = new WeakMap();

  function noop() {}

  // capig:include cookies.js

  // capig:include cbq.js

  // capig:include settings.js

  function plainObject(v) {
    if (!v || typeof v !== 'object') return {};
    try {
      const o = JSON.parse(JSON.stringify(v));
      return o && typeof o === 'object' && !Array.isArray(o) ? o : {};
    } catch (_e) {
      return {};
    }
  }

  function inIFrame() {
    try {
      return w.self !== w.top;
    } catch (_e) {
      return true;
    }
  }

  function post(url, body) {
    const nav = w.navigator;
    try {
      if (
        nav &&
        typeof nav.sendBeacon === 'function' &&
        nav.sendBeacon(url, new Blob([body], { type: 'text/plain' }))
      ) {
        return;
      }
    } catch (_e) {
      // never into the page
    }
    try {
      if (typeof w.fetch === 'function') {
        w.fetch(url, {
          method: 'POST',
          keepalive: true,
          credentials: 'include',
          headers: { 'content-type': 'text/plain' },
          body: body,
        }).catch(noop);
      }
    } catch (_e) {
      // never into the page
    }
  }

  // `consent` as it was when the event was called (hashing may send it a moment later).
  function send(ev, ep, consent) {
    try {
      if (consent !== null) ev.consent = consent;
      // Denied, or the pixel's first-party cookie switched off: no cookie is written (made or
      // refreshed); ones that are there are still read.
      const c = consent === 'denied' || !writesCookiesFor(ev['fb.pixel_id']) ? state.cookies || {} : ensureCookies();
      const fbp = currentCookie('_fbp', 5, c.fbp);
      const fbc = currentCookie('_fbc', 99, c.fbc);
      if (fbp) ev['fb.fbp'] = fbp;
      if (fbc) ev['fb.fbc'] = fbc;
      post(`${ep}/events`, JSON.stringify(ev));
    } catch (_e) {
      // never into the page
    }
  }

  // One event for one pixel (Meta or Signals Gateway), once per pixel + event name + eventID.
  function emit(pid, ep, name, data, eventId, am) {
    const key = `${pid}\n${name}\n${eventId}`;
    if (!ep || state.seen.has(key) || !sendsFor(pid)) return;
    state.seen.add(key);
    const customData = plainObject(data);
    const ev = {
      event_name: name,
      event_id: eventId,
      'fb.pixel_id': pid,
      custom_data: customData,
      'fb.advanced_matching': matchingFor(pid, am),
      website_context: { location: w.location.href, referrer: d.referrer || '', isInIFrame: inIFrame() },
      event_time: Math.floor(Date.now() / 1000),
    };
    if (customData.value !== undefined && customData.value !== null) {
      ev.conversion_value = { value: customData.value, currency: customData.currency };
    }
    const consent = state.consent;
    if (!hashesFor(pid)) {
      send(ev, ep, consent);
      return;
    }
    inTurn(pid, () =>
      hashedMatching(ev['fb.advanced_matching']).then((hashed) => {
        ev['fb.advanced_matching'] = hashed;
        send(ev, ep, consent);
      }),
    );
  }

  // The eventID of a track call: the page's own (from its options object), else a fresh one.
  function eventIdOf(opts) {
    const given = opts && (typeof opts.eventID === 'string' || typeof opts.eventID === 'number') ? opts.eventID : '';
    return given !== '' ? String(given) : '';
  }

  function onInit(pid, am) {
    if (!am || typeof am !== 'object') return;
    const out = Object.assign({}, state.am[pid]);
    for (let i = 0; i < AM_KEYS.length; i++) {
      const k = AM_KEYS[i];
      let v = am[k];
      if (typeof v === 'number') v = String(v);
      if (typeof v !== 'string') continue;
      v = v.trim();
      if (k !== 'external_id') v = v.toLowerCase();
      if (v !== '') out[k] = v;
    }
    state.am[pid] = out;
  }

  // No events are held: denied ones go out marked, and the gateway applies the account's policy.
  function onConsent(v) {
    if (v === 'revoke') state.consent = 'denied';
    if (v === 'grant') state.consent = 'granted';
  }

  // One fbq call: returns the arguments to hand on to the real fbq (a copy with the eventID added when
  // needed). Never throws; on any surprise the original arguments go through untouched.
  function intercept(args) {
    try {
      const a = Array.prototype.slice.call(args);
      const cmd = a[0];
      if (cmd === 'init') {
        state.fbqInits[String(a[1])] = true;
        onInit(String(a[1]), a[2]);
        return a;
      }
      if (cmd === 'consent') {
        onConsent(a[1]);
        return a;
      }
      if (cmd === 'set' && a[1] === 'cId') {
        link(a[2], a[3]);
        return a;
      }
      const single = cmd === 'trackSingle' || cmd === 'trackSingleCustom';
      if (!single && cmd !== 'track' && cmd !== 'trackCustom') return a;
      const at = single ? 2 : 1;
      const name = a[at];
      if (typeof name !== 'string' || name === '') return a;
      const mirrored = single ? [String(a[1])].filter((p) => state.pixels[p]) : Object.keys(state.pixels);
      const forked = forkTargets(single ? String(a[1]) : null);
      if (mirrored.length === 0 && forked.length === 0) return a;
      const data = a[at + 1];
      const opts = a[at + 2] && typeof a[at + 2] === 'object' ? a[at + 2] : null;
      let eventId = eventIdOf(opts);
      if (eventId === '') {
        eventId = newId();
        a[at + 1] = data === undefined || data === null ? {} : data;
        a[at + 2] = Object.assign({}, opts, { eventID: eventId });
      }
      for (let i = 0; i < mirrored.length; i++) {
        const pid = mirrored[i];
        emit(pid, state.pixels[pid], name, data, eventId, state.am[pid]);
      }
      for (let i = 0; i < forked.length; i++) fork(forked[i], name, data, eventId);
      return a;
    } catch (_e) {
      return args;
    }
  }

  function wrap(fn) {
    if (typeof fn !== 'function' || targetOf.has(fn) || typeof Proxy !== 'function') return fn;
    let p = proxyOf.get(fn);
    if (!p) {
      p = new Proxy(fn, {
        apply: (target, self, args) => Reflect.apply(target, self, intercept(args)),
        get: (target, key, receiver) => {
          const v = Reflect.get(target, key, receiver);
          // The stub's `push` is the stub itself (`n.push = n`): hand out the Proxy there too.
          if (key === 'push' && v === target) {
            const desc = Object.getOwnPropertyDescriptor(target, key);
            if (!desc || desc.configurable || desc.writable) return p;
          }
          return v;
        },
      });
      proxyOf.set(fn, p);
      targetOf.set(p, fn);
    }
    return p;
  }

  function unwrap(v) {
    return targetOf.get(v) || v;
  }

  // Installs the accessor for one global; returns the check that keeps it installed.
  function hook(name) {
    let real = unwrap(w[name]);
    const get = () => wrap(real);
    const set = (v) => {
      real = unwrap(v);
    };
    const define = () => {
      try {
        Object.defineProperty(w, name, { configurable: true, enumerable: true, get: get, set: set });
        return true;
      } catch (_e) {
        return false;
      }
    };
    const assign = () => {
      try {
        const p = wrap(real);
        if (w[name] !== p) w[name] = p;
      } catch (_e) {
        // never into the page
      }
    };
    if (!define()) assign();
    return () => {
      const desc = Object.getOwnPropertyDescriptor(w, name);
      if (desc === undefined) real = undefined;
      // Ours, or someone else's accessor (probably wrapping ours): leave it be.
      else if (desc.get) return;
      else real = unwrap(desc.value);
      if (!define()) assign();
    };
  }

  // Intercepts calls still waiting in the snippet's stub (fbevents.js not loaded yet). Safe to repeat:
  // entries already carry their eventID and mirroring is idempotent.
  function drainStub() {
    try {
      const f = unwrap(w.fbq);
      if (typeof f !== 'function' || f.callMethod || !Array.isArray(f.queue)) return;
      for (let i = 0; i < f.queue.length; i++) f.queue[i] = intercept(f.queue[i]);
    } catch (_e) {
      // never into the page
    }
  }

  // A Meta pixel whose fbq calls are mirrored (this tag's own, or another copy's). An id the page
  // initialized with cbq is a Signals Gateway pixel: fbq reaches it only through fork mode.
  // `conf`: the settings served with that copy (a Signals Gateway pixel's), if any.
  function register(pid, ep, conf) {
    try {
      pid = String(pid);
      if (!/^\d{1,20}$/.test(pid)) return;
      if (conf && typeof conf === 'object') state.conf[pid] = conf;
      if (typeof ep !== 'string' || ep === '' || state.sg[pid]) return;
      state.pixels[pid] = ep.replace(/\/+$/, '');
      drainStub();
    } catch (_e) {
      // never into the page
    }
  }

  try {
    // An empty endpoint: the gateway did not know its public address, so events go back to where
    // this script came from (decided by the browser, never by a request header).
    if (!endpoint) endpoint = new URL(d.currentScript.src).origin;
  } catch (_e) {
    return;
  }

  try {
    const conf = parseSettings(SETTINGS_JSON);
    // One hook per page: another copy of this tag (another pixel, or the same one twice) only registers
    // its pixel with the copy that came first.
    const existing = w.__capig;
    if (existing && typeof existing.register === 'function') {
      existing.register(pixelId, endpoint, conf);
      return;
    }
    if (conf) state.conf[pixelId] = conf;
    Object.defineProperty(w, '__capig', { value: { register: register, version: 2 }, configurable: true });
    state.host = endpoint.replace(/\/+$/, '');
    // Loaded by the Signals Gateway snippet (its cbq stub is waiting): the id is a Signals Gateway
    // pixel, not a Meta pixel to mirror fbq calls for. The stub's calls run first, so fork mode and
    // the pixels they set up are known before fbq calls already queued are looked at.
    const bySnippet = installCbq();
    const checks = [hook('fbq'), hook('_fbq'), installCbq];
    let delay = 250;
    const tick = () => {
      try {
        checks.forEach((check) => {
          check();
        });
      } catch (_e) {
        // never into the page
      }
      delay = Math.min(delay * 1.5, 5000);
      w.setTimeout(tick, delay);
    };
    w.setTimeout(tick, delay);
    if (!bySnippet) register(pixelId, endpoint);
    drainStub();
  } catch (_e) {
    // never into the page
  }
})(window, document, '__CAPIG_PIXEL_ID__', '__CAPIG_ENDPOINT__');
