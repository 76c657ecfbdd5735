import type { Sql } from '../db.js';
import type { TenantScope } from './signal-configs-repo.js';

// The control plane's view of dead_letters: a page of them, and replay, which puts chosen ones back
// in the queue. Every statement filters on the account and the caller's visible accounts.

export interface DeadLetterRow {
  id: string;
  pixelId: string;
  eventName: string;
  eventId: string;
  reason: string;
  errorCode: number | null;
  errorSubcode: number | null;
  errorMessage: string | null;
  fbtraceId: string | null;
  attempts: number;
  createdAt: number;
  replayedAt: number | null;
  payload: unknown;
}

interface Row {
  id: string;
  pixel_id: string;
  event_name: string;
  event_id: string | null;
  reason: string;
  error_code: number | null;
  error_subcode: number | null;
  error_message: string | null;
  fbtrace_id: string | null;
  attempts: number;
  created_ms: number;
  replayed_ms: number | null;
  event: unknown;
}

export function createDeadLettersRepo(sql: Sql) {
  return {
    /** Newest first; `before` is the id the previous page ended with. */
    async page(
      scope: TenantScope,
      pixelIds: readonly string[] | null,
      limit: number,
      before: string | null,
    ): Promise<DeadLetterRow[]> {
      const rows = await sql.query<Row>(
        `SELECT id::text, pixel_id, event_name, event->>'event_id' AS event_id, reason, error_code, error_subcode,
                error_message, fbtrace_id, attempts, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms,
                (extract(epoch FROM replayed_at) * 1000)::float8 AS replayed_ms, event
           FROM dead_letters
          WHERE tenant_id = $1 AND tenant_id = ANY($2::text[])
            AND ($3::text[] IS NULL OR pixel_id = ANY($3::text[]))
            AND ($5::int8 IS NULL OR id < $5::int8)
          ORDER BY dead_letters.id DESC LIMIT $4`,
        [scope.tenantId, [...scope.visibleTenantIds], pixelIds ? [...pixelIds] : null, limit, before],
      );
      return rows.map((r) => ({
        id: r.id,
        pixelId: r.pixel_id,
        eventName: r.event_name,
        eventId: r.event_id ?? '',
        reason: r.reason,
        errorCode: r.error_code,
        errorSubcode: r.error_subcode,
        errorMessage: r.error_message,
        fbtraceId: r.fbtrace_id,
        attempts: Number(r.attempts),
        createdAt: Number(r.created_ms),
        replayedAt: r.replayed_ms === null ? null : Number(r.replayed_ms),
        payload: typeof r.event === 'string' ? JSON.parse(r.event) : r.event,
      }));
    },

    /**
     * Queues the chosen dead letters again, once each: a replayed letter is marked and skipped
     * afterwards. If Meta rejects the event again it becomes a new dead letter. Returns how many.
     */
    async replay(scope: TenantScope, ids: readonly string[]): Promise<number> {
      const [row] = await sql.query<{ n: number }>(
        `WITH picked AS (
           UPDATE dead_letters SET replayed_at = now()
            WHERE tenant_id = $1 AND tenant_id = ANY($2::text[]) AND id = ANY($3::int8[]) AND replayed_at IS NULL
           RETURNING pixel_id, tenant_id, event, event_name, domain, test_event_code),
         queued AS (
           INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, domain, test_event_code)
           SELECT pixel_id, tenant_id, event, event_name, (event->>'event_time')::int8, domain, test_event_code
             FROM picked)
         SELECT count(*)::int AS n FROM picked`,
        [scope.tenantId, [...scope.visibleTenantIds], [...ids]],
      );
      return row?.n ?? 0;
    },
  };
}
