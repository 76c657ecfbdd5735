// HTTP control API under /_fake/: the in-process FakeGraphControl over JSON, for tests in another
// process (benchmarks, the CLI sandbox) and for people poking at the sandbox with curl.

import type { IncomingMessage } from 'node:http';
import type { FakeGraphControl } from './fake-state.js';
import { checkFaultRule, type FaultRule } from './faults.js';
import { readBody } from './http-body.js';

export interface ControlResponse {
  status: number;
  body: unknown;
}

const ok = (body: unknown = { ok: true }): ControlResponse => ({ status: 200, body });
const bad = (message: string, status = 400): ControlResponse => ({ status, body: { error: { message } } });

export async function handleControl(req: IncomingMessage, url: URL, api: FakeGraphControl): Promise<ControlResponse> {
  const method = req.method ?? 'GET';
  const parts = url.pathname.split('/').filter((s) => s !== '');
  // parts[0] === '_fake'
  const [, resource, id, extra] = parts;
  const route = `${method} ${resource ?? ''}${id !== undefined ? '/:id' : ''}${extra !== undefined ? '/:extra' : ''}`;

  switch (route) {
    case 'GET health':
      return ok();
    case 'GET events': {
      const pixelId = url.searchParams.get('pixel_id') || undefined;
      const all = api.events(pixelId);
      const limit = parseLimit(url.searchParams.get('limit'), 1000);
      return ok({ total: all.length, events: all.slice(Math.max(0, all.length - limit)) });
    }
    case 'DELETE events':
    case 'POST reset':
      api.reset();
      return ok();
    case 'GET requests': {
      const all = api.requests();
      const limit = parseLimit(url.searchParams.get('limit'), 10_000);
      return ok({ total: all.length, requests: all.slice(Math.max(0, all.length - limit)) });
    }
    case 'GET stats':
      return ok(api.stats());
    case 'GET faults':
      return ok({ faults: api.faults() });
    case 'POST faults': {
      const body = await readJson(req);
      if (!body.ok) return bad(body.message);
      const problem = checkFaultRule(body.value);
      if (problem) return bad(`invalid fault rule: ${problem}`);
      return ok(api.addFault(body.value as unknown as FaultRule));
    }
    case 'DELETE faults':
      api.clearFaults();
      return ok();
    case 'DELETE faults/:id':
      return api.removeFault(decodeURIComponent(id as string)) ? ok() : bad(`no fault with id ${id}`, 404);
    case 'POST tokens/:id': {
      if (id !== 'revoke' && id !== 'restore') break;
      const body = await readJson(req);
      if (!body.ok) return bad(body.message);
      const token = (body.value as { token?: unknown }).token;
      if (typeof token !== 'string' || token === '') return bad('body must be {"token": "<access token>"}');
      if (id === 'revoke') api.revokeToken(token);
      else api.restoreToken(token);
      return ok();
    }
    case 'PUT pixels/:id': {
      const body = await readJson(req);
      if (!body.ok) return bad(body.message);
      const name = (body.value as { name?: unknown }).name;
      if (typeof name !== 'string') return bad('body must be {"name": "<pixel name>"}');
      api.setPixelName(decodeURIComponent(id as string), name);
      return ok();
    }
    case 'GET openbridge_configurations':
      return ok({ configurations: api.openbridgeConfigurations() });
  }
  return bad(`unknown control endpoint: ${method} ${url.pathname}`, 404);
}

function parseLimit(raw: string | null, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

type JsonBody = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

async function readJson(req: IncomingMessage): Promise<JsonBody> {
  const read = await readBody(req);
  if (!read.ok) return { ok: false, message: 'body too large' };
  try {
    const value: unknown = JSON.parse(read.body.toString('utf8') || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, message: 'body must be a JSON object' };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false, message: 'body is not valid JSON' };
  }
}
