import type { Db } from '../database/db.js';
import { APPLY_COUNTS, randomShard } from '../database/repos/metrics-repo.js';

// The durable queue, partitioned by lane (pixel_id: a pixel connection's pixel, or a destination id). A claim leases rows by moving available_at forward;
// FOR UPDATE SKIP LOCKED lets several instances claim side by side without waiting on each other.

export interface QueuedEvent {
  id: number;
  pixelId: string;
  tenantId: string;
  /** The event as stored, JSON text: the publisher sends it as it is, without parsing it. */
  eventJson: string;
  eventName: string;
  eventTime: number;
  /** action_source is physical_store, which Meta accepts for 62 days instead of 7. */
  physicalStore: boolean;
  domain: string;
  testEventCode: string;
  /** Delivery attempts before this claim. */
  attempts: number;
  enqueuedAt: Date;
}

export interface DeadLetter {
  event: QueuedEvent;
  reason: 'rejected' | 'expired';
  errorCode: number | null;
  errorSubcode: number | null;
  errorMessage: string;
  fbtraceId: string | null;
}

interface QueueRow {
  id: number;
  pixel_id: string;
  tenant_id: string;
  event_json: string;
  event_name: string;
  event_time: number;
  physical_store: boolean;
  domain: string;
  test_event_code: string;
  attempts: number;
  enqueued_at: Date;
}

const CLAIMED_COLUMNS = `q.id, q.pixel_id, q.tenant_id, q.event::text AS event_json, q.event_name, q.event_time,
  coalesce(q.event->>'action_source' = 'physical_store', false) AS physical_store, q.domain, q.test_event_code,
  q.attempts, q.enqueued_at`;

/**
 * Picks up to $2 ready events of pixel $1: half of them the newest, the rest the oldest. While a
 * backlog drains, events that arrive now are not queued behind all of it, and the oldest (nearest
 * Meta's 7-day limit) still leave at half the rate or more. Without a backlog, this is every ready
 * event. `extra` narrows the rows; `lock` is appended to both picks.
 * The newest are events never tried: a batch released for a retry has its available_at moved past
 * the events that arrived meanwhile, and would otherwise be "newer" than them and go first.
 */
const pickReady = (extra: string, lock: string) => `
  newest AS (
    SELECT id FROM event_queue
     WHERE pixel_id = $1 AND available_at <= now() AND attempts = 0 ${extra}
     ORDER BY available_at DESC, id DESC
     LIMIT ($2::int + 1) / 2 ${lock}),
  oldest AS (
    SELECT id FROM event_queue
     WHERE pixel_id = $1 AND available_at <= now() ${extra} AND id NOT IN (SELECT id FROM newest)
     ORDER BY available_at, id
     LIMIT $2::int - (SELECT count(*) FROM newest) ${lock}),
  ready AS (SELECT id FROM newest UNION ALL SELECT id FROM oldest)`;

// Several processes and instances share the queue: the lease is the row's available_at,
// moved forward under FOR UPDATE SKIP LOCKED, so instances claim side by side without waiting.
// Both claims fetch the picked rows with = ANY (ARRAY(...)), which keeps the planner on primary-key
// lookups: joined with the picks, it scanned the whole queue (70 ms instead of 15 for 1,000 of 100,000).
const CLAIM_WITH_ROW_LEASE = `
  WITH ${pickReady('', 'FOR UPDATE SKIP LOCKED')}
  UPDATE event_queue q SET available_at = now() + make_interval(secs => $3::float8 / 1000)
   WHERE q.id = ANY (ARRAY(SELECT id FROM ready))
  RETURNING ${CLAIMED_COLUMNS}`;

export function createEventQueue(db: Db) {
  return {
    /** Lanes (pixels, destinations) that have events ready now and can be published to. */
    async readyPixels(): Promise<string[]> {
      const rows = await db.query<{ pixel_id: string }>(
        `SELECT p.pixel_id FROM pixels p
          WHERE NOT p.bad_token AND p.access_token_enc IS NOT NULL
            AND EXISTS (SELECT 1 FROM event_queue q WHERE q.pixel_id = p.pixel_id AND q.available_at <= now())
         UNION ALL
         SELECT d.id FROM data_destinations d
          WHERE d.pixel_id IS NULL AND d.active AND NOT d.bad_token
            AND EXISTS (SELECT 1 FROM event_queue q WHERE q.pixel_id = d.id AND q.available_at <= now())`,
      );
      return rows.map((r) => r.pixel_id);
    },

    /** Leases up to limit ready events of one pixel for leaseMs (see pickReady for which). */
    async claim(pixelId: string, limit: number, leaseMs: number): Promise<QueuedEvent[]> {
      const rows = await db.query<QueueRow>(CLAIM_WITH_ROW_LEASE, [pixelId, limit, leaseMs]);
      return rows
        .map((r) => ({
          id: r.id,
          pixelId: r.pixel_id,
          tenantId: r.tenant_id,
          eventJson: r.event_json,
          eventName: r.event_name,
          eventTime: r.event_time,
          physicalStore: r.physical_store,
          domain: r.domain,
          testEventCode: r.test_event_code,
          attempts: r.attempts,
          enqueuedAt: r.enqueued_at,
        }))
        .sort((a, b) => a.id - b.id);
    },

    /** Delivered: removed from the queue and counted as published, in one statement. */
    async complete(events: QueuedEvent[]): Promise<void> {
      if (events.length === 0) return;
      // Counted from the rows actually deleted: if a lease ran out and another claimer finished
      // first, nothing is counted twice.
      await db.query(
        `WITH gone AS (
           DELETE FROM event_queue WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::int8)
           RETURNING tenant_id, pixel_id, event_name, domain),
         counts AS (
           SELECT tenant_id AS t, pixel_id AS p, event_name AS n, domain AS d, 'published'::text AS o, count(*) AS c
             FROM gone GROUP BY 1, 2, 3, 4),
         ${APPLY_COUNTS('$2::int2')}
         SELECT 1`,
        [JSON.stringify(events.map((e) => e.id)), randomShard()],
      );
    },

    /** Not delivered this time: claimable again after delayMs. */
    async release(events: QueuedEvent[], delayMs: number, error: string): Promise<void> {
      if (events.length === 0) return;
      await db.query(
        `UPDATE event_queue SET available_at = now() + make_interval(secs => $2::float8 / 1000), last_error = $3,
                attempts = attempts + 1
          WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::int8)`,
        [JSON.stringify(events.map((e) => e.id)), delayMs, error.slice(0, 500)],
      );
    },

    /** Moves events Meta will never take to the dead-letter table, with Meta's answer. */
    async deadLetter(letters: DeadLetter[]): Promise<void> {
      if (letters.length === 0) return;
      await db.query(
        `WITH letters AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb)
               AS x(id int8, r text, ec int4, es int4, em text, f text)),
         gone AS (
           DELETE FROM event_queue q USING letters l WHERE q.id = l.id
           RETURNING q.*, l.r, l.ec, l.es, l.em, l.f),
         moved AS (
           INSERT INTO dead_letters (tenant_id, pixel_id, event, event_name, test_event_code, reason, error_code,
                                     error_subcode, error_message, fbtrace_id, attempts, enqueued_at, domain)
           SELECT tenant_id, pixel_id, event, event_name, test_event_code, r, ec, es, em, f, attempts + 1,
                  enqueued_at, domain
             FROM gone),
         counts AS (
           SELECT tenant_id AS t, pixel_id AS p, event_name AS n, domain AS d, 'dead_lettered'::text AS o,
                  count(*) AS c
             FROM gone GROUP BY 1, 2, 3, 4),
         ${APPLY_COUNTS('$2::int2')}
         SELECT 1`,
        [
          JSON.stringify(
            letters.map((l) => ({
              id: l.event.id,
              r: l.reason,
              ec: l.errorCode,
              es: l.errorSubcode,
              em: l.errorMessage.slice(0, 2000),
              f: l.fbtraceId,
            })),
          ),
          randomShard(),
        ],
      );
    },

    /** Per pixel: events waiting and the age of the oldest, for the ops listener's gauges. */
    async stats(): Promise<Array<{ pixelId: string; accountId: string; depth: number; oldestAgeSeconds: number }>> {
      return db.query(
        `SELECT pixel_id AS "pixelId", tenant_id AS "accountId", count(*)::int8 AS depth,
                extract(epoch FROM now() - min(enqueued_at))::float8 AS "oldestAgeSeconds"
           FROM event_queue GROUP BY 1, 2`,
      );
    },

    async depth(pixelId?: string): Promise<number> {
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::int8 AS n FROM event_queue WHERE $1::text IS NULL OR pixel_id = $1',
        [pixelId ?? null],
      );
      return row?.n ?? 0;
    },
  };
}

export type EventQueue = ReturnType<typeof createEventQueue>;
