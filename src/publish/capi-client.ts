import { Agent, request } from 'undici';

// The port to Meta's Conversions API: one POST of a batch, answered as data, never thrown.
// Keep-alive connections are reused across batches; every request has a deadline.

export interface GraphError {
  message: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  error_user_title?: string;
  error_user_msg?: string;
  fbtrace_id?: string;
}

export type CapiResponse =
  | {
      ok: true;
      eventsReceived: number;
      fbtraceId: string | null;
      /** A custom HTTP destination's own answer (status and body, secrets masked), for Live events. */
      answer?: { status: number; body: string };
    }
  | {
      ok: false;
      /** null: no HTTP answer (network error or timeout). */
      status: number | null;
      error: GraphError | null;
      /** A short description for logs and the pixel's last error; never contains the token. */
      description: string;
      /** From X-Business-Use-Case-Usage estimated_time_to_regain_access (minutes), when Meta says. */
      retryAfterMs: number | null;
    };

export interface CapiBatch {
  pixelId: string;
  apiVersion: string;
  accessToken: string;
  /** Each event as JSON text, as the queue stored it: the body is spliced, not re-serialized. */
  eventsJson: string[];
  testEventCode?: string;
}

export interface CapiClient {
  send(batch: CapiBatch, signal?: AbortSignal): Promise<CapiResponse>;
  close(): Promise<void>;
}

export function createCapiClient(opts: { apiUrl: string; timeoutMs: number; partnerAgent?: string }): CapiClient {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });
  return {
    async send(batch, signal) {
      const body = requestBody(batch, opts.partnerAgent);
      const url = `${opts.apiUrl}/${batch.apiVersion}/${encodeURIComponent(batch.pixelId)}/events`;
      try {
        const res = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body,
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
          signal: signal ?? AbortSignal.timeout(opts.timeoutMs * 2),
        });
        const text = await res.body.text();
        const json = parseJson(text) as { events_received?: number; fbtrace_id?: string; error?: GraphError } | null;
        if (res.statusCode === 200 && json && typeof json.events_received === 'number') {
          return { ok: true, eventsReceived: json.events_received, fbtraceId: json.fbtrace_id ?? null };
        }
        const error = json?.error && typeof json.error === 'object' ? json.error : null;
        return {
          ok: false,
          status: res.statusCode,
          error,
          description: error
            ? `${error.code ?? '?'}${error.error_subcode ? `.${error.error_subcode}` : ''} ${error.message ?? ''}`.trim()
            : `HTTP ${res.statusCode}`,
          retryAfterMs: regainAccessMs(res.headers['x-business-use-case-usage']),
        };
      } catch (err) {
        const e = err as Error & { code?: string };
        return {
          ok: false,
          status: null,
          error: null,
          description: `${e.code ?? e.name}: ${e.message}`.slice(0, 300),
          retryAfterMs: null,
        };
      }
    },
    close: () => agent.close(),
  };
}

/**
 * The JSON body Meta receives. Parsing every stored event only to serialize it again cost the event
 * loop several milliseconds per batch of 500, which ingest requests waited behind.
 */
export function requestBody(batch: CapiBatch, partnerAgent?: string): string {
  let body = `{"data":[${batch.eventsJson.join(',')}],"access_token":${JSON.stringify(batch.accessToken)}`;
  if (batch.testEventCode) body += `,"test_event_code":${JSON.stringify(batch.testEventCode)}`;
  if (partnerAgent) body += `,"partner_agent":${JSON.stringify(partnerAgent)}`;
  return `${body}}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The header maps ids to arrays of usage objects; the largest regain time wins. */
function regainAccessMs(header: string | string[] | undefined): number | null {
  if (typeof header !== 'string') return null;
  const usage = parseJson(header) as Record<string, Array<{ estimated_time_to_regain_access?: number }>> | null;
  if (!usage || typeof usage !== 'object') return null;
  let minutes = 0;
  for (const list of Object.values(usage)) {
    for (const u of Array.isArray(list) ? list : [])
      minutes = Math.max(minutes, u.estimated_time_to_regain_access ?? 0);
  }
  return minutes > 0 ? minutes * 60_000 : null;
}
