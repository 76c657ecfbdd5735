// Part of the capig first-party tag (see events.js, which includes this file where it says so): the
// Signals Gateway pixel's `cbq` API (capig-control-plane.md C.6) and fork mode. Same rules as events.js:
// ES2018, nothing may throw into the page, only whole-line `//` comments. It runs inside events.js'
// closure, so `w`, `state`, `emit`, `onInit`, `onConsent`, `eventIdOf`, `newId` and settings.js'
// `autoForks` are in scope.
//
// cbq('setHost', host)                        where pixels initialized after it send (default: the
//                                             endpoint the tag was rendered with)
// cbq('init', id, advancedMatching?)
// cbq('track' | 'trackCustom', name, data?, {eventID}?)
// cbq('trackSingle' | 'trackSingleCustom', id, name, data?, {eventID}?)
// cbq('set', 'integrationMethod', 'forkFromSnippetCode@1.0')   fork mode: fbq track calls are sent as
//                                             cbq events of the linked pixel, with fbq's eventID
// cbq('consent', 'grant' | 'revoke')
// Anything else is accepted and ignored.

function cbqSetHost(h) {
  if (typeof h !== 'string') return;
  h = h.trim();
  if (h === '' || h.length > 2048) return;
  // A bare host name ('capig.shop.example') is taken as https; anything else must be an absolute URL.
  if (/^[a-z0-9][a-z0-9.-]*(:\d+)?(\/.*)?$/i.test(h)) h = `https://${h}`;
  if (!/^(https?:)?\/\/[^/\s]/i.test(h)) return;
  state.host = h.replace(/\/+$/, '');
}

function cbqInit(id, am) {
  if (typeof id === 'number') id = String(id);
  if (typeof id !== 'string' || !/^\d{1,20}$/.test(id)) return;
  state.sg[id] = state.host;
  // A Signals Gateway pixel: fbq calls are no longer mirrored to it as if it were a Meta pixel.
  delete state.pixels[id];
  onInit(id, am);
}

function cbqTrack(a) {
  const cmd = a[0];
  const single = cmd === 'trackSingle' || cmd === 'trackSingleCustom';
  if (!single && cmd !== 'track' && cmd !== 'trackCustom') return;
  const at = single ? 2 : 1;
  const name = a[at];
  if (typeof name !== 'string' || name === '') return;
  const ids = single ? [String(a[1])] : Object.keys(state.sg);
  const opts = a[at + 2] && typeof a[at + 2] === 'object' ? a[at + 2] : null;
  const eventId = eventIdOf(opts) || newId();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (state.sg[id]) emit(id, state.sg[id], name, a[at + 1], eventId, state.am[id]);
  }
}

function cbqCall(args) {
  try {
    const a = Array.prototype.slice.call(args);
    const cmd = a[0];
    if (cmd === 'setHost') cbqSetHost(a[1]);
    else if (cmd === 'init') cbqInit(a[1], a[2]);
    else if (cmd === 'consent') onConsent(a[1]);
    else if (cmd === 'set' && a[1] === 'integrationMethod' && typeof a[2] === 'string') {
      state.fork = a[2].indexOf('forkFromSnippetCode') === 0;
    } else cbqTrack(a);
  } catch (_e) {
    // never into the page
  }
}

function cbqMethod(...args) {
  cbqCall(args);
}

// Makes window.cbq ours: takes over the snippet's stub (its queue is run, later calls go to
// callMethod, as with fbq's stub) or defines cbq when there is none. Someone else's loaded cbq is left
// alone. Answers whether a stub with calls waiting was found (the tag was loaded by the snippet).
function installCbq() {
  try {
    const f = w.cbq;
    if (f === undefined || f === null) {
      const n = (...args) => n.callMethod.apply(n, args);
      n.callMethod = cbqMethod;
      n.queue = [];
      n.push = n;
      n.loaded = true;
      n.version = '2.0';
      w.cbq = n;
      return false;
    }
    if (typeof f !== 'function' || f.callMethod || !Array.isArray(f.queue)) return false;
    f.callMethod = cbqMethod;
    const queued = f.queue.splice(0);
    for (let i = 0; i < queued.length; i++) cbqCall(queued[i]);
    return queued.length > 0;
  } catch (_e) {
    return false;
  }
}

// fbq('set', 'cId', sgPixelId, metaPixelId): fbq events of that Meta pixel fork into that gateway pixel.
function link(sgId, metaId) {
  sgId = String(sgId);
  metaId = String(metaId);
  if (!/^\d{1,20}$/.test(sgId) || !/^\d{1,20}$/.test(metaId)) return;
  if (!state.links[metaId]) state.links[metaId] = [];
  if (state.links[metaId].indexOf(sgId) < 0) state.links[metaId].push(sgId);
}

// The gateway pixels an fbq track call forks into: those linked to the Meta pixel it names
// (trackSingle), or to the pixels the page initialized with fbq (track); with no link at all, every
// pixel the page initialized with cbq. In fork mode all of them; else those whose settings fork
// automatically (settings.js).
function forkTargets(metaId) {
  const targets = linkedTargets(metaId);
  return state.fork ? targets : targets.filter(autoForks);
}

function linkedTargets(metaId) {
  const metas = Object.keys(state.links);
  if (metas.length === 0) return Object.keys(state.sg);
  let from = metaId !== null ? [metaId] : metas.filter((m) => state.fbqInits[m]);
  if (metaId === null && from.length === 0) from = metas;
  const out = [];
  for (let i = 0; i < from.length; i++) {
    const list = state.links[from[i]] || [];
    for (let j = 0; j < list.length; j++) if (out.indexOf(list[j]) < 0) out.push(list[j]);
  }
  return out;
}

// One forked event: the gateway pixel's advanced matching over that of the Meta pixels linked to it.
function fork(sgId, name, data, eventId) {
  const am = {};
  const metas = Object.keys(state.links);
  for (let i = 0; i < metas.length; i++) {
    if (state.links[metas[i]].indexOf(sgId) >= 0) Object.assign(am, state.am[metas[i]]);
  }
  Object.assign(am, state.am[sgId]);
  // Linked but never initialized with cbq: the current host.
  emit(sgId, state.sg[sgId] || state.host, name, data, eventId, am);
}
