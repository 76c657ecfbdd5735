// The Graph API routes the gateway talks to: the events edge, the pixel node and OpenBridge
// configuration. Checks run in Graph's order (version, body, token, object, faults, payload) so a
// client sees the same error Meta would give for the same mistake.

import type { IncomingMessage } from 'node:http';
import { type FakeState, pixelName } from './fake-state.js';
import type { FaultContext } from './faults.js';
import {
  deprecatedVersion,
  fbtraceId,
  type GraphFailure,
  graphFailure,
  invalidParameter,
  invalidToken,
  missingToken,
  unknownObject,
  unknownPath,
} from './graph-errors.js';
import { parseParams, readBody } from './http-body.js';
import { validateEventsPayload } from './validate-events.js';

/** What the server should do with a request. */
export type Outcome =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string>; close?: boolean }
  | { kind: 'error'; failure: GraphFailure; close?: boolean }
  | { kind: 'raw'; status: number; body: string; contentType: string }
  | { kind: 'hang' }
  | { kind: 'drop' };

export interface GraphResult {
  outcome: Outcome;
  /** Pixel the request was about (for the request log and counters), if any. */
  pixelId: string | null;
  /** Events in the request body. */
  events: number;
}

const VERSION_RE = /^v\d+\.\d+$/;
const NUMERIC_ID_RE = /^\d+$/;

export async function handleGraph(req: IncomingMessage, url: URL, state: FakeState): Promise<GraphResult> {
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const [version, objectId, edge] = segments;
  const method = req.method ?? 'GET';
  const route =
    segments.length === 2 && method === 'GET'
      ? 'pixel'
      : segments.length === 3 && method === 'POST' && edge === 'events'
        ? 'events'
        : segments.length === 3 && method === 'POST' && edge === 'openbridge_configurations'
          ? 'openbridge'
          : null;
  if (!route || !version || !objectId || !VERSION_RE.test(version)) {
    return { outcome: error(unknownPath(url.pathname)), pixelId: null, events: 0 };
  }
  const logPixel = route === 'openbridge' ? null : objectId;
  if (!state.liveVersions.has(version)) {
    return { outcome: error(deprecatedVersion(version)), pixelId: logPixel, events: 0 };
  }

  let params: Record<string, unknown> = {};
  if (method === 'POST') {
    const read = await readBody(req);
    if (!read.ok) {
      const failure = graphFailure({
        code: 100,
        status: 413,
        message: '(#100) Request body is too large: the limit is 10 MB',
      });
      return { outcome: { kind: 'error', failure, close: true }, pixelId: logPixel, events: 0 };
    }
    const parsed = await parseParams(req.headers['content-type'], read.body);
    if (!parsed.ok) return { outcome: error(invalidParameter(parsed.detail)), pixelId: logPixel, events: 0 };
    params = parsed.params;
  }
  const data = route === 'events' ? decodeData(params.data) : undefined;
  const count = Array.isArray(data) ? data.length : 0;
  const reject = (failure: GraphFailure): GraphResult => {
    if (route === 'events') state.recorder.rejected(objectId, count);
    return { outcome: error(failure), pixelId: logPixel, events: count };
  };

  const token = findToken(url, params, req.headers.authorization);
  if (token === null) return reject(missingToken());
  if (state.revoked.has(token)) return reject(invalidToken());

  if (route === 'pixel') return handlePixel(objectId, url, state);
  if (route === 'openbridge') return handleOpenBridge(objectId, params, token, state);
  return handleEvents(objectId, data, count, params, token, state);
}

/** Form encodings carry `data` as a JSON string; a string that is not JSON is left for validation. */
function decodeData(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

async function handleEvents(
  pixelId: string,
  data: unknown,
  count: number,
  params: Record<string, unknown>,
  token: string,
  state: FakeState,
): Promise<GraphResult> {
  const result = (outcome: Outcome): GraphResult => {
    if (outcome.kind !== 'json') state.recorder.rejected(pixelId, count);
    return { outcome, pixelId, events: count };
  };
  if (!NUMERIC_ID_RE.test(pixelId)) return result(error(unknownObject(pixelId, 'post')));
  const faulted = await applyFaults(state, {
    pixelId,
    hasEventName: (name) =>
      Array.isArray(data) && data.some((e) => typeof e === 'object' && e !== null && e.event_name === name),
  });
  if (faulted) return result(faulted);

  const validation = validateEventsPayload(data, {
    futureSkewSeconds: state.futureSkewSeconds,
    strictHashing: state.strictHashing,
    strictWebsiteFields: state.strictWebsiteFields,
  });
  if (!validation.ok) return result(error(validation.failure));
  const testCode =
    typeof params.test_event_code === 'string' && params.test_event_code !== '' ? params.test_event_code : null;
  state.recorder.accepted(pixelId, validation.events, testCode, token);
  return result({
    kind: 'json',
    status: 200,
    body: { events_received: count, messages: [], fbtrace_id: fbtraceId() },
  });
}

async function handlePixel(pixelId: string, url: URL, state: FakeState): Promise<GraphResult> {
  if (!NUMERIC_ID_RE.test(pixelId)) return { outcome: error(unknownObject(pixelId, 'get')), pixelId, events: 0 };
  const faulted = await applyFaults(state, { pixelId }, 'get');
  if (faulted) return { outcome: faulted, pixelId, events: 0 };
  const all: Record<string, string> = { id: pixelId, name: pixelName(state, pixelId) };
  const fields = url.searchParams.get('fields');
  let body: Record<string, string> = all;
  if (fields) {
    body = {};
    for (const f of fields.split(',')) {
      const v = all[f.trim()];
      if (v !== undefined) body[f.trim()] = v;
    }
    if (!('id' in body)) body.id = pixelId;
  }
  return { outcome: { kind: 'json', status: 200, body }, pixelId, events: 0 };
}

async function handleOpenBridge(
  businessId: string,
  params: Record<string, unknown>,
  token: string,
  state: FakeState,
): Promise<GraphResult> {
  if (!NUMERIC_ID_RE.test(businessId)) {
    return { outcome: error(unknownObject(businessId, 'post')), pixelId: null, events: 0 };
  }
  const pixelId = params.pixel_id === undefined || params.pixel_id === null ? '' : String(params.pixel_id);
  if (pixelId === '') {
    return {
      outcome: error(invalidParameter('(#100) The parameter pixel_id is required')),
      pixelId: null,
      events: 0,
    };
  }
  const faulted = await applyFaults(state, { pixelId });
  if (faulted) return { outcome: faulted, pixelId, events: 0 };
  const id = String(100_000_000_000_000 + Math.floor(Math.random() * 899_999_999_999_999));
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'access_token' || k === 'pixel_id') continue;
    fields[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  state.recorder.addOpenBridge({
    id,
    business_id: businessId,
    pixel_id: pixelId,
    access_token_last4: token.slice(-4),
    fields,
    created_at: Date.now(),
  });
  return { outcome: { kind: 'json', status: 200, body: { id } }, pixelId, events: 0 };
}

/** Applies matching fault rules: waits out latency, then returns the injected outcome, if any. */
async function applyFaults(
  state: FakeState,
  ctx: FaultContext,
  method: 'get' | 'post' = 'post',
): Promise<Outcome | null> {
  const { latencyMs, fault } = state.faults.match(ctx);
  if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
  if (!fault) return null;
  switch (fault.kind) {
    case 'hang':
      return { kind: 'hang' };
    case 'drop_connection':
      return { kind: 'drop' };
    case 'unknown_pixel':
      return error(unknownObject(ctx.pixelId ?? '', method));
    case 'http_status': {
      const status = fault.status ?? 500;
      // 204 and 304 must not carry a body.
      const body = status === 204 || status === 304 ? '' : htmlPage(status);
      return { kind: 'raw', status, contentType: 'text/html; charset=utf-8', body };
    }
    case 'graph_error':
      return error(
        graphFailure({
          code: fault.code ?? 2,
          subcode: fault.subcode,
          status: fault.status,
          transient: fault.transient,
          message: fault.message,
          regainAccessMinutes: fault.estimated_time_to_regain_access,
          objectId: ctx.pixelId ?? undefined,
        }),
      );
    default:
      return null;
  }
}

function htmlPage(status: number): string {
  return `<!DOCTYPE html><html><head><title>Error ${status}</title></head><body><h1>Error ${status}</h1><p>Sorry, something went wrong.</p></body></html>`;
}

/** Query first, then body, then `Authorization: Bearer` (section 1.1). */
function findToken(url: URL, params: Record<string, unknown>, authorization: string | undefined): string | null {
  const fromQuery = url.searchParams.get('access_token');
  if (fromQuery) return fromQuery;
  if (typeof params.access_token === 'string' && params.access_token !== '') return params.access_token;
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (m?.[1]) return m[1];
  }
  return null;
}

function error(failure: GraphFailure): Outcome {
  return { kind: 'error', failure };
}
