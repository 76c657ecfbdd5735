import type { CountRow } from '../../domain/counts.js';
import type { Sql } from '../db.js';

/** Adds counts to the current minute's rows and to the pixels' running totals. */
export async function addCounts(sql: Sql, rows: CountRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.query(
    `INSERT INTO event_metrics (tenant_id, pixel_id, minute, event_name, domain, outcome, count)
     SELECT t, p, date_trunc('minute', now()), n, d, o, c
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS x(t, p, n, d, o, c)
     ON CONFLICT (tenant_id, pixel_id, minute, event_name, domain, outcome)
     DO UPDATE SET count = event_metrics.count + excluded.count`,
    [
      rows.map((r) => r.tenantId),
      rows.map((r) => r.pixelId),
      rows.map((r) => r.eventName),
      rows.map((r) => r.domain),
      rows.map((r) => r.outcome),
      rows.map((r) => r.count),
    ],
  );
  const perPixel = new Map<string, { received: number; published: number; dropped: number; dead: number }>();
  for (const r of rows) {
    const t = perPixel.get(r.pixelId) ?? { received: 0, published: 0, dropped: 0, dead: 0 };
    if (r.outcome === 'received') t.received += r.count;
    else if (r.outcome === 'published') t.published += r.count;
    else if (r.outcome === 'dead_lettered') t.dead += r.count;
    else if (r.outcome.startsWith('dropped.') || r.outcome === 'deduplicated') t.dropped += r.count;
    perPixel.set(r.pixelId, t);
  }
  const ids = [...perPixel.keys()].sort();
  await sql.query(
    `UPDATE pixels p SET received_total = p.received_total + x.r, published_total = p.published_total + x.pub,
            dropped_total = p.dropped_total + x.d, dead_lettered_total = p.dead_lettered_total + x.dl,
            last_received_at = CASE WHEN x.r > 0 THEN now() ELSE p.last_received_at END,
            last_published_at = CASE WHEN x.pub > 0 THEN now() ELSE p.last_published_at END
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS x(id, r, pub, d, dl)
      WHERE p.pixel_id = x.id`,
    [
      ids,
      ids.map((id) => perPixel.get(id)?.received ?? 0),
      ids.map((id) => perPixel.get(id)?.published ?? 0),
      ids.map((id) => perPixel.get(id)?.dropped ?? 0),
      ids.map((id) => perPixel.get(id)?.dead ?? 0),
    ],
  );
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
