// A fake of Meta's Graph API Conversions API endpoint over real HTTP, for the gateway's tests and
// benchmarks and as a sandbox for users (`capig fake-graph`). Plain node:http: no framework
// overhead at 20k+ events/s, and full control over sockets for hang / drop faults.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { handleControl } from './control-routes.js';
import { controlApi, createState, type FakeGraphControl, type FakeGraphOptions } from './fake-state.js';
import { fbtraceId, graphFailure } from './graph-errors.js';
import { type GraphResult, handleGraph, type Outcome } from './graph-routes.js';

export type { FakeGraphControl, FakeGraphOptions } from './fake-state.js';
export type { ActiveFault, FaultKind, FaultRule } from './faults.js';
export type { FakeGraphStats, OpenBridgeConfiguration, RecordedEvent, RequestLogEntry } from './recorder.js';

export interface FakeGraph extends FakeGraphControl {
  /** Base URL, e.g. `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every connection, including keep-alive and hanging ones. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=UTF-8';

export async function startFakeGraph(opts: FakeGraphOptions = {}): Promise<FakeGraph> {
  const state = createState(opts);
  const api = controlApi(state);

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // Never crash on input: anything unexpected becomes a Graph code 1 error.
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const trace = fbtraceId();
      const { error, status } = graphFailure({ code: 1 });
      sendJson(res, status, { error: { ...error, fbtrace_id: trace } }, { 'x-fb-trace-id': trace });
    });
  });
  // Raw HTTP parse errors (malformed request lines etc.): answer 400 instead of emitting an error.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-graph.local');
    if (url.pathname === '/_fake' || url.pathname.startsWith('/_fake/')) {
      const out = await handleControl(req, url, api);
      sendJson(res, out.status, out.body);
      return;
    }
    const receivedAt = Date.now();
    const started = performance.now();
    const result = await handleGraph(req, url, state);
    const { status, errorCode } = send(req, res, result.outcome);
    logRequest(result, url.pathname, status, errorCode, receivedAt, started);
  }

  function logRequest(
    result: GraphResult,
    path: string,
    status: number,
    errorCode: number | null,
    receivedAt: number,
    started: number,
  ): void {
    state.recorder.request({
      pixel_id: result.pixelId,
      path,
      status,
      events: result.events,
      error_code: errorCode,
      received_at: receivedAt,
      duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  // A wildcard bind is reachable on loopback; give clients an address they can connect to.
  const ip = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  const host = address.family === 'IPv6' ? `[${ip}]` : ip;

  let closing: Promise<void> | null = null;
  return {
    ...api,
    url: `http://${host}:${address.port}`,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        state.recorder.abortWaiters('server closed');
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Writes an outcome; returns the status and Graph error code for the request log. */
function send(
  req: IncomingMessage,
  res: ServerResponse,
  outcome: Outcome,
): { status: number; errorCode: number | null } {
  switch (outcome.kind) {
    case 'hang':
      // Accepted and never answered; close() destroys the socket.
      return { status: 0, errorCode: null };
    case 'drop':
      req.socket.destroy();
      return { status: 0, errorCode: null };
    case 'raw':
      res.writeHead(outcome.status, {
        'content-type': outcome.contentType,
        'content-length': Buffer.byteLength(outcome.body),
      });
      res.end(outcome.body);
      return { status: outcome.status, errorCode: null };
    case 'json':
      sendJson(res, outcome.status, outcome.body, outcome.headers, outcome.close);
      return { status: outcome.status, errorCode: null };
    case 'error': {
      const { failure } = outcome;
      const trace = fbtraceId();
      const headers = { ...failure.headers, 'x-fb-trace-id': trace };
      sendJson(res, failure.status, { error: { ...failure.error, fbtrace_id: trace } }, headers, outcome.close);
      return { status: failure.status, errorCode: failure.error.code };
    }
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
  close = false,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}
