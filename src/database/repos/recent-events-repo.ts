import { pgJson, type Sql } from '../db.js';
import type { TenantScope } from './signal-configs-repo.js';

// recent_events: a sample of each pixel's latest events with what was sent to Meta and what Meta
// answered, or why nothing was sent (the dashboard's Live events). Writers add samples; maintenance
// keeps only the newest per pixel, for a day at most.

export type LiveOutcome = 'PUBLISHED' | 'DROPPED' | 'RETRYING' | 'DEAD_LETTERED';

export interface LiveSample {
  tenantId: string;
  pixelId: string;
  eventName: string;
  eventId: string;
  outcome: LiveOutcome;
  reason: string | null;
  payload: unknown;
  response: unknown;
}

export interface LiveEventRow {
  id: string;
  at: number;
  pixelId: string;
  eventName: string;
  eventId: string;
  outcome: LiveOutcome;
  reason: string | null;
  payload: unknown;
  response: unknown;
}

export const LIVE_KEEP_PER_PIXEL = 100;
/** Payloads larger than this are stored as a note, not in full: the table must stay small. */
const MAX_PAYLOAD_CHARS = 16_384;

/** The `x(...)` columns of a samples parameter, for jsonb_to_recordset. */
export const SAMPLE_COLUMNS = 't text, p text, n text, k text, o text, r text, e jsonb, a jsonb';

/** The JSON parameter a samples recordset reads (see SAMPLE_COLUMNS). */
export function samplesParam(samples: readonly LiveSample[]): string {
  return pgJson(
    samples.map((s) => ({
      t: s.tenantId,
      p: s.pixelId,
      n: s.eventName,
      k: s.eventId,
      o: s.outcome,
      r: s.reason?.slice(0, 1000) ?? null,
      e: bounded(s.payload),
      a: bounded(s.response),
    })),
  );
}

function bounded(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const size = JSON.stringify(value).length;
  return size > MAX_PAYLOAD_CHARS ? { note: `not kept: ${size} characters is more than ${MAX_PAYLOAD_CHARS}` } : value;
}

export function createRecentEventsRepo(sql: Sql) {
  return {
    async record(samples: readonly LiveSample[]): Promise<void> {
      if (samples.length === 0) return;
      await sql.query(
        `INSERT INTO recent_events (tenant_id, pixel_id, event_name, event_id, outcome, reason, payload, response)
         SELECT t, p, n, coalesce(k, ''), o, r, e, a FROM jsonb_to_recordset($1::jsonb) AS x(${SAMPLE_COLUMNS})`,
        [samplesParam(samples)],
      );
    },

    /** Newest first; afterId returns only rows newer than that one (for polling). */
    async list(scope: TenantScope, pixelId: string, limit: number, afterId: string | null): Promise<LiveEventRow[]> {
      const rows = await sql.query<{
        id: string;
        at: number;
        pixel_id: string;
        event_name: string;
        event_id: string;
        outcome: LiveOutcome;
        reason: string | null;
        payload: unknown;
        response: unknown;
      }>(
        `SELECT id::text, (extract(epoch FROM created_at) * 1000)::float8 AS at, pixel_id, event_name, event_id,
                outcome, reason, payload, response
           FROM recent_events
          WHERE tenant_id = $1 AND tenant_id = ANY($2::text[]) AND pixel_id = $3
            AND ($5::int8 IS NULL OR id > $5::int8)
          ORDER BY recent_events.id DESC LIMIT $4`,
        [scope.tenantId, [...scope.visibleTenantIds], pixelId, limit, afterId],
      );
      return rows.map((r) => ({
        id: r.id,
        at: Number(r.at),
        pixelId: r.pixel_id,
        eventName: r.event_name,
        eventId: r.event_id,
        outcome: r.outcome,
        reason: r.reason,
        payload: parseJson(r.payload),
        response: parseJson(r.response),
      }));
    },

    /** Keeps the newest rows of each pixel, none older than a day. */
    async trim(keepPerPixel = LIVE_KEEP_PER_PIXEL): Promise<void> {
      await sql.query(
        `DELETE FROM recent_events r
          USING (SELECT id, created_at, row_number() OVER (PARTITION BY pixel_id ORDER BY id DESC) AS rn
                   FROM recent_events) x
          WHERE r.id = x.id AND (x.rn > $1 OR x.created_at < now() - interval '1 day')`,
        [keepPerPixel],
      );
    },
  };
}

function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export type RecentEventsRepo = ReturnType<typeof createRecentEventsRepo>;
