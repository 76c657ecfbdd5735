import { setMaxListeners } from 'node:events';
import type { GatewayConfig } from '../config.js';
import { isUnavailableError } from '../database/db.js';
import { type GatewayMetrics, noMetrics } from '../domain/metrics.js';
import type { PublishTarget } from '../database/repos/pixel-settings-repo.js';
import type { PixelStatusRepo } from '../database/repos/pixel-status-repo.js';
import type { LiveSample } from '../database/repos/recent-events-repo.js';
import type { Logger } from '../platform/logger.js';
import { sleep } from '../platform/sleep.js';
import type { EventQueue, QueuedEvent } from '../queue/event-queue.js';
import type { CapiBatch, CapiClient, CapiResponse } from './capi-client.js';
import { type DeliveryOutcome, deliverBatch } from './deliver-batch.js';
import { classifyHttpFailure, type HttpDestinationClient } from './http-destination/http-destination-client.js';
import { isBatchTemplate } from './http-destination/template.js';
import { liveSamples } from './live-samples.js';

// One lane per pixel connection or destination (docs/pipelines.md): a lane that fails or is slow only
// ever delays itself. A lane claims a
// batch, delivers it, applies the outcome, and repeats; after a partial batch it waits up to
// maxWaitMs so the next batch can fill.

export interface PublisherDeps {
  config: GatewayConfig['publish'] & { defaultApiVersion: string; leaseMs: number };
  queue: EventQueue;
  publishTarget(pixelId: string): Promise<PublishTarget | null>;
  status: PixelStatusRepo;
  client: CapiClient;
  /** Custom HTTP destinations; without it their lanes wait. */
  http?: HttpDestinationClient;
  log: Logger;
  retry: { baseMs: number; maxMs: number };
  pollMs?: number;
  /** Where samples for the dashboard's Live events go; absent when live events are off. */
  live?: { record(samples: LiveSample[]): Promise<void> };
  metrics?: GatewayMetrics;
}

/** Published samples at most this often per pixel: enough to watch, cheap under a backlog. */
const LIVE_PUBLISHED_EVERY_MS = 250;

interface Lane {
  workers: number;
  pausedUntil: number;
  failures: number;
  lastSampledAt: number;
  /** When a batch of this lane was last accepted: a failure of a request sent before it is stale. */
  deliveredAt: number;
  /** The pixel may carry a recorded Meta error (unknown at start, e.g. from before a restart). */
  errorMaybeRecorded: boolean;
}

export interface Publisher {
  start(): void;
  /** New events for these pixels: start their lanes now rather than at the next poll. */
  wake(pixelIds: Iterable<string>): void;
  /** Stops claiming, lets in-flight batches finish (or releases them after graceMs), then resolves. */
  stop(graceMs?: number): Promise<void>;
  /** 'running', 'off' (CAPIG_PUBLISH=off) or 'stopped' (not started, or stopping). */
  state(): 'running' | 'off' | 'stopped';
}

export function createPublisher(deps: PublisherDeps): Publisher {
  const metrics = deps.metrics ?? noMetrics;
  const lanes = new Map<string, Lane>();
  const running = new Set<Promise<void>>();
  const stopSleeping = new AbortController();
  // Every sleeping lane listens for shutdown: many lanes are normal, not a leak.
  setMaxListeners(0, stopSleeping.signal);
  const abortRequests = new AbortController();
  setMaxListeners(0, abortRequests.signal);
  let stopped = false;
  let supervisor: Promise<void> | null = null;
  let poke: (() => void) | null = null;

  const lane = (pixelId: string): Lane => {
    const existing = lanes.get(pixelId);
    if (existing) return existing;
    const created = {
      workers: 0,
      pausedUntil: 0,
      failures: 0,
      lastSampledAt: 0,
      deliveredAt: 0,
      errorMaybeRecorded: true,
    };
    lanes.set(pixelId, created);
    return created;
  };

  function ensureWorker(pixelId: string, max = 1): void {
    const l = lane(pixelId);
    if (stopped || Date.now() < l.pausedUntil || l.workers >= Math.min(max, deps.config.concurrencyPerPixel)) return;
    l.workers++;
    const p = runLane(pixelId, l)
      .catch((err) => deps.log.error({ err, pixelId }, 'publisher lane failed; it restarts at the next poll'))
      .finally(() => {
        l.workers--;
        running.delete(p);
      });
    running.add(p);
  }

  async function runLane(pixelId: string, l: Lane): Promise<void> {
    while (!stopped && Date.now() >= l.pausedUntil) {
      const target = await deps.publishTarget(pixelId);
      if (!target) return;
      const custom = target.kind === 'http';
      const http = deps.http;
      let sendTo: (b: Omit<CapiBatch, 'pixelId' | 'apiVersion' | 'accessToken'>) => Promise<CapiResponse>;
      if (target.kind === 'http') {
        if (!http) return;
        sendTo = (b) => http.send(target, b.eventsJson, abortRequests.signal);
      } else {
        const apiVersion = target.apiVersion ?? deps.config.defaultApiVersion;
        sendTo = (b) =>
          deps.client.send(
            { ...b, pixelId: target.pixelId, apiVersion, accessToken: target.accessToken },
            abortRequests.signal,
          );
      }
      // A template written for one event is sent one event per request.
      const maxBatch =
        target.kind === 'http' && !isBatchTemplate(target.config.payloadSchema) ? 1 : deps.config.maxBatch;
      const batch = await deps.queue.claim(pixelId, maxBatch, deps.config.leaseMs);
      if (batch.length === 0) return;
      const started = Date.now();
      // A full batch means a backlog: let a second worker help drain it.
      if (batch.length === maxBatch) ensureWorker(pixelId, deps.config.concurrencyPerPixel);
      const outcome = await deliverBatch(batch, {
        nowSec: Math.floor(started / 1000),
        // A custom destination's answers are HTTP statuses, and Meta's age limit is not its own.
        classify: custom ? classifyHttpFailure : undefined,
        expires: !custom,
        send: async (b) => {
          const sentAt = performance.now();
          const response = await sendTo(b);
          metrics.publishRequest((performance.now() - sentAt) / 1000, requestOutcome(response));
          return response;
        },
      });
      await apply(pixelId, l, outcome, started);
      if (outcome.held) return;
      if (batch.length < maxBatch) {
        await sleep(deps.config.maxWaitMs - (Date.now() - started), stopSleeping.signal);
      }
    }
  }

  /**
   * Records what Meta answered. If the database is unreachable right then, the lane keeps trying
   * (rather than crashing and letting the lease run out), so a batch Meta accepted during a
   * database outage is marked done once the database is back, not sent again.
   */
  async function persist(pixelId: string, what: string, write: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (stopped || !isUnavailableError(err)) throw err;
        if (attempt === 1) {
          deps.log.warn({ pixelId, err: { message: (err as Error).message } }, `database unreachable: ${what} waits`);
        }
        await sleep(Math.min(1_000, 50 * 2 ** attempt), stopSleeping.signal);
      }
    }
  }

  async function apply(pixelId: string, l: Lane, o: DeliveryOutcome, sentAt: number): Promise<void> {
    await persist(pixelId, 'marking delivered events', () => deps.queue.complete(o.delivered));
    countEvents('published', o.delivered);
    await persist(pixelId, 'moving dead letters', () => deps.queue.deadLetter(o.deadLetters));
    countEvents(
      'dead_lettered',
      o.deadLetters.map((d) => d.event),
    );
    await recordLive(l, o);
    if (o.deadLetters.length > 0) {
      deps.log.warn(
        { pixelId, count: o.deadLetters.length, reason: o.deadLetters[0]?.errorMessage },
        'events dead-lettered',
      );
    }
    if (o.delivered.length > 0) l.deliveredAt = Date.now();
    if (!o.held) {
      l.failures = 0;
      if (l.errorMaybeRecorded && o.delivered.length > 0) {
        l.errorMaybeRecorded = false;
        await deps.status.clearError(pixelId);
      }
      return;
    }
    const { failure, response, events } = o.held;
    // With two requests in flight, one sent before an outage ended may fail after the other was
    // accepted: that answer is history. Its events go back at once and the lane is not paused, so
    // events arriving now are not held behind a backoff the destination no longer needs.
    if ((failure === 'transient' || failure === 'throttled') && l.deliveredAt > sentAt && !stopped) {
      await persist(pixelId, 'releasing held events', () => deps.queue.release(events, 0, response.description));
      deps.log.info(
        { pixelId, failure, events: events.length },
        'a request sent before the lane recovered failed; retried now',
      );
      return;
    }
    l.errorMaybeRecorded = true;
    l.failures++;
    const delay = stopped ? 0 : backoffMs(failure, l.failures, response.retryAfterMs, deps.retry);
    l.pausedUntil = Date.now() + delay;
    const code = response.error?.code
      ? `${response.error.code}.${response.error.error_subcode ?? 0}`
      : response.status === null
        ? 'network'
        : `http.${response.status}`;
    // The bad-token mark goes first, so no other worker claims the released events meanwhile.
    await persist(pixelId, 'recording the error', () =>
      deps.status.recordError(pixelId, { code, message: response.description, badToken: failure === 'bad_token' }),
    );
    await persist(pixelId, 'releasing held events', () => deps.queue.release(events, delay, response.description));
    deps.log.warn(
      { pixelId, failure, code, events: events.length, retryInMs: delay, attempt: l.failures },
      `publishing held: ${response.description}`,
    );
  }

  function countEvents(outcome: string, events: QueuedEvent[]): void {
    const first = events[0];
    // A batch is one pixel's, so of one account.
    if (first) metrics.events(outcome, first.pixelId, first.tenantId, events.length);
  }

  async function recordLive(l: Lane, o: DeliveryOutcome): Promise<void> {
    if (!deps.live) return;
    const includePublished = Date.now() - l.lastSampledAt >= LIVE_PUBLISHED_EVERY_MS;
    const samples = liveSamples(o, { includePublished });
    if (samples.length === 0) return;
    if (includePublished) l.lastSampledAt = Date.now();
    try {
      await deps.live.record(samples);
    } catch (err) {
      // Only the dashboard's sample is lost; the events themselves were already settled above.
      deps.log.warn({ err: { message: (err as Error).message } }, 'could not record live event samples');
    }
  }

  async function supervise(): Promise<void> {
    const pollMs = deps.pollMs ?? 500;
    while (!stopped) {
      try {
        for (const pixelId of await deps.queue.readyPixels()) ensureWorker(pixelId);
      } catch (err) {
        deps.log.warn({ err: { message: (err as Error).message } }, 'publisher poll failed; retrying');
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        poke = () => {
          clearTimeout(t);
          resolve();
        };
        stopSleeping.signal.addEventListener('abort', poke, { once: true });
      });
      poke = null;
    }
  }

  return {
    start() {
      if (!supervisor && deps.config.enabled) supervisor = supervise();
    },
    state() {
      if (!deps.config.enabled) return 'off';
      return supervisor && !stopped ? 'running' : 'stopped';
    },
    wake(pixelIds) {
      if (!supervisor) return;
      for (const id of pixelIds) ensureWorker(id);
    },
    async stop(graceMs = 5_000) {
      stopped = true;
      stopSleeping.abort();
      poke?.();
      const grace = setTimeout(() => abortRequests.abort(), graceMs);
      await supervisor;
      while (running.size > 0) await Promise.allSettled([...running]);
      clearTimeout(grace);
    },
  };
}

/** Exponential backoff with jitter; throttling starts higher and honours Meta's regain estimate. */
export function backoffMs(
  failure: string,
  attempt: number,
  retryAfterMs: number | null,
  retry: { baseMs: number; maxMs: number },
): number {
  if (failure === 'bad_token') return 0; // held by the bad-token flag, not by time
  const base =
    failure === 'throttled' ? retry.baseMs * 4 : failure === 'pixel_config' ? retry.baseMs * 30 : retry.baseMs;
  const exp = Math.min(retry.maxMs, base * 2 ** Math.min(attempt - 1, 20));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, retry.maxMs)));
}

/** The outcome label of one request to Meta: few values, so the histogram stays small. */
function requestOutcome(r: CapiResponse): string {
  if (r.ok) return 'ok';
  if (r.status === null) return 'network';
  if (r.status < 300) return 'ok';
  return r.status < 500 ? 'http_4xx' : 'http_5xx';
}
