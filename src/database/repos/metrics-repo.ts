import type { CountRow } from '../../domain/counts.js';
import { pgJson, type Sql } from '../db.js';

/** Counter shards: concurrent writers pick different ones (see migration 0001). */
export const COUNTER_SHARDS = 64;

/**
 * CTEs that add the rows of a preceding `counts (t, p, n, d, o, c)` CTE to the current minute's
 * counts and to the pixels' totals, in counter shard `shard` (a SQL expression). Statements that
 * change an event's state end with these, so counts are written with the change they count.
 */
export const APPLY_COUNTS = (shard: string) => `
  metrics AS (
    INSERT INTO event_metrics (tenant_id, pixel_id, minute, event_name, domain, outcome, shard, count)
    SELECT t, p, date_trunc('minute', now()), n, d, o, ${shard}, sum(c) FROM counts
     GROUP BY t, p, n, d, o ORDER BY t, p, n, d, o
    ON CONFLICT (tenant_id, pixel_id, minute, event_name, domain, outcome, shard)
    DO UPDATE SET count = event_metrics.count + excluded.count),
  totals AS (
    INSERT INTO pixel_totals AS pt (pixel_id, shard, received, published, dropped, dead_lettered,
                                    last_received_at, last_published_at)
    SELECT p, ${shard}, r, pub, dr, dl, CASE WHEN r > 0 THEN now() END, CASE WHEN pub > 0 THEN now() END
      FROM (SELECT p,
                   coalesce(sum(c) FILTER (WHERE o = 'received'), 0) AS r,
                   coalesce(sum(c) FILTER (WHERE o = 'published'), 0) AS pub,
                   coalesce(sum(c) FILTER (WHERE o = 'deduplicated' OR o LIKE 'dropped.%'), 0) AS dr,
                   coalesce(sum(c) FILTER (WHERE o = 'dead_lettered'), 0) AS dl
              FROM counts GROUP BY p ORDER BY p) x
    ON CONFLICT (pixel_id, shard) DO UPDATE SET
      received = pt.received + excluded.received, published = pt.published + excluded.published,
      dropped = pt.dropped + excluded.dropped, dead_lettered = pt.dead_lettered + excluded.dead_lettered,
      last_received_at = greatest(pt.last_received_at, excluded.last_received_at),
      last_published_at = greatest(pt.last_published_at, excluded.last_published_at))`;

/** The JSON parameter a `counts` CTE reads with COUNTS_FROM_JSON. */
export function countsParam(rows: CountRow[]): string {
  return pgJson(
    rows.map((r) => ({ t: r.tenantId, p: r.pixelId, n: r.eventName, d: r.domain, o: r.outcome, c: r.count })),
  );
}
export const COUNTS_FROM_JSON = (param: string) =>
  `SELECT t, p, n, d, o, c FROM jsonb_to_recordset(${param}::jsonb) AS y(t text, p text, n text, d text, o text, c int8)`;

/** Adds counts to the current minute's rows and to the pixels' running totals. */
export async function addCounts(sql: Sql, rows: CountRow[], shard = randomShard()): Promise<void> {
  if (rows.length === 0) return;
  await sql.query(`WITH counts AS (${COUNTS_FROM_JSON('$1')}), ${APPLY_COUNTS('$2::int2')} SELECT 1`, [
    countsParam(rows),
    shard,
  ]);
}

export function randomShard(): number {
  return Math.floor(Math.random() * COUNTER_SHARDS);
}

export interface PixelTotals {
  received: number;
  published: number;
  dropped: number;
  deadLettered: number;
  lastReceivedAt: Date | null;
  lastPublishedAt: Date | null;
}

/** All-time totals and last activity of a pixel. */
export async function pixelTotals(sql: Sql, pixelId: string): Promise<PixelTotals> {
  const [row] = await sql.query<{ r: number; pub: number; dr: number; dl: number; lr: Date | null; lp: Date | null }>(
    `SELECT coalesce(sum(received), 0)::int8 AS r, coalesce(sum(published), 0)::int8 AS pub,
            coalesce(sum(dropped), 0)::int8 AS dr, coalesce(sum(dead_lettered), 0)::int8 AS dl,
            max(last_received_at) AS lr, max(last_published_at) AS lp
       FROM pixel_totals WHERE pixel_id = $1`,
    [pixelId],
  );
  return {
    received: row?.r ?? 0,
    published: row?.pub ?? 0,
    dropped: row?.dr ?? 0,
    deadLettered: row?.dl ?? 0,
    lastReceivedAt: row?.lr ?? null,
    lastPublishedAt: row?.lp ?? null,
  };
}

export interface WindowQuery {
  tenantId: string;
  pixelId?: string;
  /** Counts of the last N minutes, the current one included. */
  minutes: number;
}

/** Sums of each outcome over a window, e.g. { received: 10, published: 8, 'dropped.domain_blocked': 2 }. */
export async function countsInWindow(sql: Sql, q: WindowQuery): Promise<Record<string, number>> {
  const rows = await sql.query<{ outcome: string; n: number }>(
    `SELECT outcome, sum(count)::int8 AS n FROM event_metrics
      WHERE tenant_id = $1 AND ($2::text IS NULL OR pixel_id = $2)
        AND minute > date_trunc('minute', now()) - make_interval(mins => $3)
      GROUP BY outcome`,
    [q.tenantId, q.pixelId ?? null, q.minutes],
  );
  return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
}

export type Breakdown = 'event_name' | 'domain' | 'pixel_id' | 'minute';

/** Sums per outcome, split by one dimension, e.g. { AddToCart: { received: 3, published: 2 } }. */
export async function breakdownInWindow(
  sql: Sql,
  q: WindowQuery & { by: Breakdown },
): Promise<Record<string, Record<string, number>>> {
  // The column name comes from a closed union, never from user input.
  const column = q.by === 'minute' ? 'to_char(minute AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI"Z"\')' : q.by;
  const rows = await sql.query<{ k: string; outcome: string; n: number }>(
    `SELECT ${column} AS k, outcome, sum(count)::int8 AS n FROM event_metrics
      WHERE tenant_id = $1 AND ($2::text IS NULL OR pixel_id = $2)
        AND minute > date_trunc('minute', now()) - make_interval(mins => $3)
      GROUP BY 1, 2`,
    [q.tenantId, q.pixelId ?? null, q.minutes],
  );
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    const entry = out[r.k] ?? {};
    entry[r.outcome] = r.n;
    out[r.k] = entry;
  }
  return out;
}
