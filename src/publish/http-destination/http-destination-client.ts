import { Agent, request } from 'undici';
import type { Logger } from '../../platform/logger.js';
import type { CapiResponse, GraphError } from '../capi-client.js';
import type { FailureClass } from '../classify-response.js';
import { type AuthResult, createAuthenticator } from './auth.js';
import {
  allowCheckingConnector,
  type DestinationAllow,
  destinationPolicy,
  isNotAllowedError,
} from './destination-allow.js';
import {
  DEFAULT_TIMEOUT_MS,
  type HttpDestinationConfig,
  type HttpTarget,
  validateHttpConfig,
} from './http-destination-config.js';
import { REDACTED, readCapped, redact } from './response-text.js';
import { isBatchTemplate, renderTemplate } from './template.js';

export type { HttpDestinationConfig, HttpDestinationSecrets, HttpTarget } from './http-destination-config.js';
export { validateHttpConfig } from './http-destination-config.js';

// The port to custom HTTP destinations: renders the destination's template over a batch, adds its
// auth, sends it through an agent that may only dial allowed addresses, and answers in the
// CapiResponse shape the publisher already handles (an error's code is the HTTP status, its message
// the destination's answer). Never throws; no secret reaches a description, a log or the test view.

export interface RenderedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface HttpTestResult {
  request: RenderedRequest | null;
  response: { status: number | null; headers: Record<string, string>; body: string } | null;
  error: string | null;
}

export interface HttpDestinationClient {
  send(target: HttpTarget, eventsJson: string[], signal?: AbortSignal): Promise<CapiResponse>;
  /** For the dashboard's "send test event": renders, sends, and returns what was sent (secrets masked) and what came back. Never throws. */
  test(target: HttpTarget, eventsJson: string[]): Promise<HttpTestResult>;
  close(): Promise<void>;
}

/** GraphError.type of failures that are not the destination's answer, so they are classified apart. */
export const FAILURE_TYPES = {
  notAllowed: 'capig_destination_not_allowed',
  config: 'capig_destination_config',
  token: 'capig_token_request',
  render: 'capig_template_render',
} as const;

const ANSWER_MAX_BYTES = 256 * 1024;
const MESSAGE_MAX = 2000;
const RETRY_AFTER_MAX_MS = 24 * 3600_000;

type Failure = Extract<CapiResponse, { ok: false }>;
type Exchange = { outcome: CapiResponse } & Omit<HttpTestResult, 'error'>;

export function createHttpDestinationClient(opts: {
  allow: DestinationAllow;
  log: Logger;
  defaultTimeoutMs?: number;
  /** The clock token lifetimes are read on (tests move it). */
  now?: () => number;
}): HttpDestinationClient {
  const defaultTimeoutMs = opts.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const agent = new Agent({
    connect: allowCheckingConnector(destinationPolicy(opts.allow), defaultTimeoutMs),
    keepAliveTimeout: 30_000,
    connections: 16,
    pipelining: 1,
  });
  const auth = createAuthenticator({ dispatcher: agent, timeoutMs: defaultTimeoutMs, now: opts.now });

  async function exchange(target: HttpTarget, eventsJson: string[], signal?: AbortSignal): Promise<Exchange> {
    const { config, secrets, destinationId } = target;
    const allSecrets = Object.values(secrets).filter((s): s is string => typeof s === 'string');
    const problems = validateHttpConfig(config, secrets);
    if (problems.length > 0) {
      return bare(failure(FAILURE_TYPES.config, null, `destination configuration: ${problems.join('; ')}`));
    }
    if (eventsJson.length > 1 && !isBatchTemplate(config.payloadSchema)) {
      // A per-event template would drop every event but the first. Classified like a render failure,
      // so a batch handed here by mistake is bisected down to single events, each sent on its own.
      return bare(
        failure(FAILURE_TYPES.render, null, 'a per-event template (one without `events`) takes one event at a time'),
      );
    }
    const rendered = await renderTemplate(config.payloadSchema, eventsJson);
    if (!rendered.ok) return bare(failure(FAILURE_TYPES.render, null, rendered.error));
    const timeoutMs = config.timeoutMs ?? defaultTimeoutMs;
    const host = hostOf(config.endpoint);

    for (let attempt = 1; ; attempt++) {
      const authorized = await auth.authorize(destinationId, config, secrets);
      if (!authorized.ok) {
        const description = redact(authorized.message, allSecrets);
        opts.log.debug({ destinationId, authType: config.authType }, `custom destination auth failed: ${description}`);
        return bare(authFailure(authorized, description));
      }
      const sensitive = [...allSecrets, ...authorized.sensitive];
      const built = buildRequest(config, rendered.body, rendered.contentType, authorized);
      const shown: RenderedRequest = {
        method: built.method,
        url: redact(built.url, sensitive),
        headers: maskHeaders(built.headers, sensitive),
        body: built.body,
      };
      try {
        const timeout = AbortSignal.timeout(timeoutMs);
        const res = await request(built.url, {
          method: built.method,
          dispatcher: agent,
          headers: built.headers,
          body: built.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        const text = redact(await readCapped(res.body, ANSWER_MAX_BYTES), sensitive);
        const headers = flatHeaders(res.headers);
        const response = { status: res.statusCode, headers, body: text };
        if (res.statusCode === 401 && attempt === 1 && config.authType === 'CLIENT_CREDENTIALS') {
          // The token may have been revoked before it expired: one more try with a new one.
          auth.invalidate(destinationId);
          continue;
        }
        if (res.statusCode >= 200 && res.statusCode < 300) {
          return {
            request: shown,
            response,
            outcome: {
              ok: true,
              eventsReceived: eventsJson.length,
              fbtraceId: null,
              answer: { status: res.statusCode, body: text.slice(0, MESSAGE_MAX) },
            },
          };
        }
        const message = text.slice(0, MESSAGE_MAX);
        const outcome: Failure = {
          ok: false,
          status: res.statusCode,
          error: { code: res.statusCode, message },
          description: `HTTP ${res.statusCode} from ${host}${message ? `: ${oneLine(message).slice(0, 300)}` : ''}`,
          retryAfterMs: retryAfterMs(headers['retry-after']),
        };
        return { request: shown, response, outcome };
      } catch (err) {
        const outcome = networkFailure(err, host, timeoutMs, signal, sensitive);
        return { request: shown, response: null, outcome };
      }
    }
  }

  return {
    async send(target, eventsJson, signal) {
      try {
        return (await exchange(target, eventsJson, signal)).outcome;
      } catch (err) {
        opts.log.error({ err, destinationId: target.destinationId }, 'custom destination send failed unexpectedly');
        return failure(null, null, `unexpected error: ${(err as Error).message}`.slice(0, 300));
      }
    },
    async test(target, eventsJson) {
      try {
        const { request: sent, response, outcome } = await exchange(target, eventsJson);
        return { request: sent, response, error: outcome.ok ? null : outcome.description };
      } catch (err) {
        return { request: null, response: null, error: `unexpected error: ${(err as Error).message}`.slice(0, 300) };
      }
    },
    close: () => agent.close(),
  };
}

/**
 * What a failure means for its events: the destination's HTTP status decides. Refused addresses
 * and unusable settings hold the events (retried slowly until the operator or admin fixes them);
 * a template that fails on a batch is bisected like a 4xx, so one odd event does not stop the lane.
 */
export function classifyHttpFailure(res: Extract<CapiResponse, { ok: false }>): FailureClass {
  switch (res.error?.type) {
    case FAILURE_TYPES.notAllowed:
    case FAILURE_TYPES.config:
      return 'pixel_config';
    case FAILURE_TYPES.render:
      return 'invalid_events';
    case FAILURE_TYPES.token: {
      const code = res.error.code;
      if (code === undefined || code >= 500 || code === 408) return 'transient';
      return code === 429 ? 'throttled' : 'pixel_config';
    }
  }
  const status = res.status;
  if (status === null || status >= 500 || status === 408) return 'transient';
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'pixel_config';
  if (status >= 400) return 'invalid_events';
  // A redirect (not followed) or another odd answer: the endpoint is wrong.
  return 'pixel_config';
}

function buildRequest(
  config: HttpDestinationConfig,
  payload: string,
  contentType: string,
  authorized: Extract<AuthResult, { ok: true }>,
): { method: string; url: string; headers: Record<string, string>; body: string | null } {
  const url = new URL(config.endpoint);
  const headers: Record<string, string> = { 'user-agent': 'capig', ...authorized.headers };
  let body: string | null = null;
  if (config.httpMethod === 'GET') {
    for (const [name, value] of payloadQuery(payload, contentType)) url.searchParams.append(name, value);
  } else {
    body = payload;
    headers['content-type'] = contentType;
  }
  for (const [name, value] of authorized.query) url.searchParams.append(name, value);
  return { method: config.httpMethod, url: url.toString(), headers, body };
}

/** GET sends no body: a JSON object's fields become parameters, a form its fields, anything else `payload`. */
function payloadQuery(payload: string, contentType: string): Array<[string, string]> {
  if (contentType === 'application/json') {
    const value = JSON.parse(payload) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
    }
  }
  if (contentType === 'application/x-www-form-urlencoded') return [...new URLSearchParams(payload.trim())];
  return [['payload', payload]];
}

/** Retry-After in seconds or as an HTTP date, in milliseconds; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined, nowMs = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, RETRY_AFTER_MAX_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - nowMs), RETRY_AFTER_MAX_MS);
}

function authFailure(a: Extract<AuthResult, { ok: false }>, description: string): Failure {
  if (a.kind === 'config') return failure(FAILURE_TYPES.config, null, `destination configuration: ${description}`);
  if (a.kind === 'not_allowed') return failure(FAILURE_TYPES.notAllowed, null, description);
  return failure(FAILURE_TYPES.token, a.status, description);
}

function failure(type: string | null, code: number | null, description: string): Failure {
  const error: GraphError | null = type ? { message: description, type, ...(code !== null ? { code } : {}) } : null;
  return { ok: false, status: null, error, description, retryAfterMs: null };
}

function networkFailure(
  err: unknown,
  host: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  sensitive: string[],
): Failure {
  const e = err as Error & { code?: string; cause?: Error & { code?: string } };
  if (isNotAllowedError(e)) {
    const message = e.message.includes('CAPIG_DESTINATION_ALLOW') ? e.message : (e.cause?.message ?? e.message);
    return failure(FAILURE_TYPES.notAllowed, null, message);
  }
  let what: string;
  if (signal?.aborted) what = 'the request was cancelled';
  else if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
    what = `no answer within ${timeoutMs} ms`;
  } else {
    const inner = e.cause && e.cause !== e ? ` (${e.cause.code ?? e.cause.name}: ${e.cause.message})` : '';
    what = `${e.code ?? e.name}: ${e.message}${inner}`;
  }
  return failure(null, null, redact(`${host}: ${what}`, sensitive).slice(0, 500));
}

function bare(outcome: Failure): Exchange {
  return { request: null, response: null, outcome };
}

function maskHeaders(headers: Record<string, string>, sensitive: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const scheme = /^(Basic|Bearer) /.exec(value)?.[0];
    out[name] = scheme && name === 'authorization' ? `${scheme}${REDACTED}` : redact(value, sensitive);
  }
  return out;
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'the endpoint';
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
