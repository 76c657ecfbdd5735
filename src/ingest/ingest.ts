import { createHash, timingSafeEqual } from 'node:crypto';
import type { LiveSample } from '../database/repos/recent-events-repo.js';
import { Counts } from '../domain/counts.js';
import type { AcceptedEvent, RequestInfo } from '../domain/event.js';
import { type DropReason, NOT_RECEIVED } from '../domain/outcome.js';
import type { PixelSettings } from '../domain/pixel.js';
import { runPipeline } from '../pipeline/pipeline.js';
import { redactRawEvent } from '../pipeline/redact.js';
import { domainOf } from '../pipeline/steps/domain-filter.js';
import { validateEvent } from '../pipeline/steps/validate-event.js';
import { parseBoundedJson } from '../platform/bounded-json.js';
import type { Logger } from '../platform/logger.js';
import type { EventWriter } from '../queue/event-writer.js';
import { mapBrowserEvent } from './browser-event.js';
import type { PixelDirectory } from './pixel-directory.js';
import type { IngestLimiter } from './rate-limiter.js';

// The core of ingestion, free of HTTP: events in, an outcome out. The edge maps outcomes to
// status codes; nothing here throws for bad input.

export const MAX_EVENTS_PER_REQUEST = 1000;

export interface Accepted {
  kind: 'accepted';
  received: number;
  queued: number;
  duplicates: number;
  dropped: Partial<Record<DropReason, number>>;
  /** Hashed advanced matching the enrichment cookie should now hold (the edge sets it; not sent as body). */
  remember?: Record<string, string>;
}

export type IngestOutcome =
  | Accepted
  | {
      kind: 'rejected';
      status: 400 | 401 | 403 | 404 | 415 | 429;
      code: number;
      message: string;
      invalidEvents?: InvalidEvent[];
      /** With 429: when the sender may try again. */
      retryAfterSec?: number;
    };

/** What became of the rows of an uploaded file: counts, and each dropped row's reason. */
export interface FileRowsResult {
  queued: number;
  duplicates: number;
  /** Stored and counted but not sent: publishing is switched off for the event or its pixel. */
  notPublished: number;
  dropped: Array<{ index: number; reason: DropReason; detail?: string }>;
}

export interface InvalidEvent {
  index: number;
  event_name?: string;
  errors: string[];
}

export interface IngestDeps {
  directory: PixelDirectory;
  writer: EventWriter;
  log: Logger;
  limiter: IngestLimiter;
}

export interface ServerEventsInput {
  pixelId: string;
  accessKey: string | null;
  body: unknown;
}

/** Samples of dropped events per request for the dashboard's Live events (the writer caps again). */
const DROP_SAMPLES_PER_REQUEST = 5;

export function createIngest(deps: IngestDeps) {
  /** Runs events of known pixels through the pipeline and commits what survives. */
  async function process(
    items: Array<{ pixelId: string; raw: unknown; pixel: PixelSettings | null; testEventCode?: string }>,
    source: 'browser' | 'server',
    request: RequestInfo,
    preDropped: number,
    droppedItems?: FileRowsResult['dropped'],
  ): Promise<Accepted> {
    const counts = new Counts();
    const accepted: AcceptedEvent[] = [];
    const dropped: Partial<Record<DropReason, number>> = preDropped > 0 ? { invalid: preDropped } : {};
    const dropSamples: LiveSample[] = [];
    let remember: Record<string, string> | undefined;
    for (const [index, item] of items.entries()) {
      const result = runPipeline({ ...item, source, request });
      const pixel = item.pixel;
      const eventName = eventNameOf(item.raw);
      // The domain filter already parsed the URL of events it passed; only drops need it parsed here.
      const domain = result.ok ? result.value.domain : domainOf(urlOf(item.raw));
      if (pixel && (result.ok || !NOT_RECEIVED.has(result.reason))) {
        counts.add({ tenantId: pixel.tenantId, pixelId: pixel.pixelId, eventName, domain, outcome: 'received' });
      }
      if (!result.ok) {
        dropped[result.reason] = (dropped[result.reason] ?? 0) + 1;
        droppedItems?.push({ index, reason: result.reason, detail: result.detail });
        if (pixel) {
          const key = { tenantId: pixel.tenantId, pixelId: pixel.pixelId, eventName, domain };
          counts.add({ ...key, outcome: `dropped.${result.reason}` });
          if (dropSamples.length < DROP_SAMPLES_PER_REQUEST) {
            dropSamples.push({
              ...key,
              eventId: eventIdOf(item.raw),
              outcome: 'DROPPED',
              reason: result.detail ? `${result.reason}: ${result.detail}` : result.reason,
              payload: redactRawEvent(item.raw),
              response: null,
            });
          }
        }
        deps.log.debug({ pixelId: item.pixelId, reason: result.reason, detail: result.detail }, 'event dropped');
        continue;
      }
      const e = result.value;
      accepted.push({
        pixelId: e.pixelId,
        tenantId: pixel?.tenantId as string,
        event: e.event,
        domain,
        testEventCode: e.testEventCode,
        dedupKey: e.dedupKey,
        publish: e.publish,
        lanes: e.lanes,
      });
      if (e.remember) remember = e.remember;
    }
    const commit =
      accepted.length > 0 || counts.size > 0 ? await deps.writer.commit(accepted, counts, dropSamples) : null;
    if (commit && commit.duplicates > 0) dropped.duplicate = commit.duplicates;
    if (commit && commit.notPublished > 0) dropped.publishing_disabled = commit.notPublished;
    return {
      kind: 'accepted',
      received: items.length + preDropped,
      queued: commit?.queued ?? 0,
      duplicates: commit?.duplicates ?? 0,
      dropped,
      ...(remember ? { remember } : {}),
    };
  }

  return {
    /** POST /events: one pixel-plugin event or an array of them. Drops are answered 2xx. */
    async browser(body: unknown, request: RequestInfo): Promise<IngestOutcome> {
      const ipLimit = deps.limiter.request(request.ip);
      if (!ipLimit.ok) return tooMany(ipLimit.retryAfterSec, `too many requests from ${request.ip}`);
      const list = Array.isArray(body) ? body : [body];
      if (list.length === 0) return reject(400, 100, 'the body is an empty array; send at least one event');
      if (list.length > MAX_EVENTS_PER_REQUEST) {
        return reject(400, 100, `at most ${MAX_EVENTS_PER_REQUEST} events per request (got ${list.length})`);
      }
      const mapped = list.map((b) => mapBrowserEvent(b, request.receivedAt));
      const invalid = mapped.flatMap((m, index) => (m.ok ? [] : [{ index, errors: [m.error] }]));
      // Nothing usable at all is a client bug worth a 400; a mixed batch keeps its good events.
      if (invalid.length === list.length) {
        return {
          kind: 'rejected',
          status: 400,
          code: 100,
          message: invalid[0]?.errors[0] ?? 'invalid event',
          invalidEvents: invalid,
        };
      }
      const valid = mapped.filter((m) => m.ok);
      const pixels = await loadPixels(valid.map((m) => m.pixelId));
      const perAccount = new Map<string, number>();
      for (const m of valid) {
        const tenantId = pixels.get(m.pixelId)?.tenantId;
        if (tenantId) perAccount.set(tenantId, (perAccount.get(tenantId) ?? 0) + 1);
      }
      for (const [tenantId, n] of perAccount) {
        const accountLimit = deps.limiter.events(tenantId, n);
        if (!accountLimit.ok)
          return tooMany(accountLimit.retryAfterSec, 'this account sends more events than its limit');
      }
      const items = valid.map((m) => ({ pixelId: m.pixelId, raw: m.raw, pixel: pixels.get(m.pixelId) ?? null }));
      return process(items, 'browser', request, invalid.length);
    },

    /** POST /capi/{pixelId}/events: a Conversions API body from the advertiser's server. */
    async server(input: ServerEventsInput, request: RequestInfo): Promise<IngestOutcome> {
      const ipLimit = deps.limiter.request(request.ip);
      if (!ipLimit.ok) return tooMany(ipLimit.retryAfterSec, `too many requests from ${request.ip}`);
      const pixel = await deps.directory.get(input.pixelId);
      if (!pixel) return reject(404, 100, `pixel ${input.pixelId} is not connected to this gateway`);
      if (!input.accessKey) {
        return reject(
          401,
          190,
          'an access key is required: send "Authorization: Bearer <key>" or "accessKey" in the body',
        );
      }
      if (!timingSafeEqualStr(input.accessKey, pixel.accessKey)) {
        return reject(401, 190, `the access key is not valid for pixel ${input.pixelId}`);
      }
      if (!pixel.tenantActive) return reject(403, 200, `the account of pixel ${input.pixelId} is deactivated`);
      if (!pixel.receiving)
        return reject(403, 200, `pixel ${input.pixelId} is deactivated; activate it to receive events`);

      const body = input.body as Record<string, unknown> | null;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        return reject(400, 100, 'the body must be a JSON object with a "data" array of events');
      }
      const data = typeof body.data === 'string' ? safeParse(body.data) : body.data;
      if (!Array.isArray(data) || data.length === 0)
        return reject(400, 100, '"data" must be a non-empty array of events');
      if (data.length > MAX_EVENTS_PER_REQUEST) {
        return reject(400, 100, `"data" holds at most ${MAX_EVENTS_PER_REQUEST} events (got ${data.length})`);
      }
      const testEventCode = body.test_event_code;
      if (testEventCode !== undefined && (typeof testEventCode !== 'string' || testEventCode.length > 100)) {
        return reject(400, 100, 'test_event_code must be a string of at most 100 characters');
      }
      // Like Meta: one invalid event rejects the request, and the answer says which and why.
      const nowSec = Math.floor(request.receivedAt / 1000);
      const invalid: InvalidEvent[] = [];
      data.forEach((raw, index) => {
        const v = validateEvent(raw, { nowSec, source: 'server' });
        if (!v.ok) invalid.push({ index, ...nameOf(raw), errors: v.errors });
      });
      if (invalid.length > 0) {
        return {
          kind: 'rejected',
          status: 400,
          code: 100,
          message: `${invalid.length} of ${data.length} events are invalid; nothing was stored`,
          invalidEvents: invalid,
        };
      }
      const accountLimit = deps.limiter.events(pixel.tenantId, data.length);
      if (!accountLimit.ok) return tooMany(accountLimit.retryAfterSec, 'this account sends more events than its limit');
      const items = data.map((raw) => ({ pixelId: input.pixelId, raw, pixel, testEventCode: testEventCode ?? '' }));
      return process(items, 'server', request, 0);
    },

    /**
     * Rows of an uploaded file, already mapped to server events: each names its pixel or source.
     * Not rate limited: the upload waits for each chunk's commit, which is its back pressure.
     */
    async file(rows: Array<{ pixelId: string; raw: unknown }>, request: RequestInfo): Promise<FileRowsResult> {
      const pixels = await loadPixels(rows.map((r) => r.pixelId));
      const items = rows.map((r) => ({ ...r, pixel: pixels.get(r.pixelId) ?? null }));
      const droppedItems: FileRowsResult['dropped'] = [];
      const result = await process(items, 'server', request, 0, droppedItems);
      return {
        queued: result.queued,
        duplicates: result.duplicates,
        notPublished: result.dropped.publishing_disabled ?? 0,
        dropped: droppedItems,
      };
    },
  };

  async function loadPixels(ids: string[]): Promise<Map<string, PixelSettings | null>> {
    const unique = [...new Set(ids)];
    const found = await Promise.all(unique.map((id) => deps.directory.get(id)));
    return new Map(unique.map((id, i) => [id, found[i] ?? null]));
  }
}

export type Ingest = ReturnType<typeof createIngest>;

function reject(status: 400 | 401 | 403 | 404, code: number, message: string): IngestOutcome {
  return { kind: 'rejected', status, code, message };
}

/** Meta's code 613 ("calls have exceeded the rate limit"): senders already back off on it. */
function tooMany(retryAfterSec: number, why: string): IngestOutcome {
  return {
    kind: 'rejected',
    status: 429,
    code: 613,
    message: `${why}; nothing was stored, retry in ${retryAfterSec} s`,
    retryAfterSec,
  };
}

function eventNameOf(raw: unknown): string {
  const n = (raw as { event_name?: unknown } | null)?.event_name;
  return typeof n === 'string' ? n.slice(0, 100) : '';
}

function eventIdOf(raw: unknown): string {
  const id = (raw as { event_id?: unknown } | null)?.event_id;
  return typeof id === 'string' ? id.slice(0, 200) : '';
}

function urlOf(raw: unknown): string | undefined {
  const u = (raw as { event_source_url?: unknown } | null)?.event_source_url;
  return typeof u === 'string' ? u : undefined;
}

function nameOf(raw: unknown): { event_name?: string } {
  const n = eventNameOf(raw);
  return n ? { event_name: n } : {};
}

function safeParse(s: string): unknown {
  const parsed = parseBoundedJson(s);
  return parsed.ok ? parsed.value : null;
}

/** Compares digests, so neither the length nor the content of the key leaks through timing. */
function timingSafeEqualStr(a: string, b: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(a), digest(b));
}
