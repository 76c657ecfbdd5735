import { randomBytes } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { GatewayConfig } from '../config.js';
import { ipAddress } from '../domain/ip-address.js';
import { type GatewayMetrics, noMetrics } from '../domain/metrics.js';
import { parseBoundedJson } from './bounded-json.js';
import type { Logger } from './logger.js';
import { trustFunction } from './trust-proxy.js';

// The HTTP server every edge mounts its routes on: bodies arrive as raw strings (each route parses
// them and answers bad JSON in its own words), every error has one JSON shape, every request an id.

export function createHttpApp(
  config: GatewayConfig['http'],
  log: Logger,
  metrics: GatewayMetrics = noMetrics,
): FastifyInstance {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Per-request lines would cost more than the request at ingest rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    trustProxy: trustFunction(config.trustProxy),
    bodyLimit: config.bodyLimitBytes,
    genReqId: requestIds(),
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  if (metrics !== noMetrics) {
    app.addHook('onResponse', (req, reply, done) => {
      // The route's pattern keeps the label set small; unmatched URLs share one value.
      metrics.httpRequest(req.routeOptions.url ?? 'unmatched', reply.statusCode);
      done();
    });
  }
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
  // Only /clients/token reads multipart (Meta's docs use curl -F); it is parsed there.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  // A callback hook: an async one costs a promise per response.
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    // No response of ours is meant to be sniffed into another type (a JSON error rendered as HTML).
    reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const message =
      status >= 500
        ? 'internal error; the request id identifies it in the gateway log'
        : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `the body is larger than ${config.bodyLimitBytes} bytes`
          : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'unsupported Content-Type; send application/json or text/plain (or form-encoded to /capi)'
            : err.message;
    reply.status(status).send(errorBody(message, status >= 500 ? 2 : 100, req.id));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(errorBody(`no route for ${req.method} ${req.url.split('?')[0]}`, 100, req.id));
  });
  return app;
}

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * req.log without a pino child per request: the child, whose bindings pino serializes up front,
 * is made the first time the request logs. Most requests never do, and the child cost 3 % of
 * the event loop at ingest rates.
 */
function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, opts: ChildOptions): FastifyBaseLogger {
  let child: FastifyBaseLogger | null = null;
  const get = () => {
    child ??= logger.child(bindings, opts);
    return child;
  };
  const lazy = {
    get level() {
      return get().level;
    },
    set level(value: string) {
      get().level = value;
    },
    child: (b: Bindings, o?: ChildOptions) => get().child(b, o),
  } as Record<string, unknown>;
  for (const name of LEVELS) lazy[name] = (...args: unknown[]) => (get()[name] as (...a: unknown[]) => void)(...args);
  return lazy as unknown as FastifyBaseLogger;
}

/** Unique, unguessable-enough ids without a crypto call per request: a random prefix and a counter. */
function requestIds(): () => string {
  const prefix = randomBytes(6).toString('base64url');
  let n = 0;
  return () => `${prefix}${(n++).toString(36)}`;
}

/** Graph-style error envelope, so Conversions API clients read our errors as they read Meta's. */
export function errorBody(message: string, code: number, requestId: string, extra: Record<string, unknown> = {}) {
  return { error: { message, type: 'CapigException', code, fbtrace_id: requestId, ...extra } };
}

/** Parses a raw body as JSON; undefined body (no Content-Type) counts as empty. */
export function parseJsonBody(body: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (body !== null && typeof body === 'object') return { ok: true, value: body };
  if (typeof body !== 'string' || body.trim() === '') return { ok: false, message: 'the body is empty; send JSON' };
  return parseBoundedJson(body);
}

/**
 * The client's address as CAPIG_TRUST_PROXY resolves it, without port; the socket's peer when the
 * forwarded entry is not an address at all (a proxy that wrote "unknown").
 */
export function clientIp(req: FastifyRequest): string | null {
  return ipAddress(req.ip) ?? ipAddress(req.socket.remoteAddress);
}
