import { NOT_RECEIVED } from '../../domain/outcome.js';
import type { Sql } from '../db.js';
import type { TenantScope } from './signal-configs-repo.js';

// The control plane's reads of the data plane's counters (event_metrics, pixel_totals), scoped
// like signal-configs-repo.ts: the account AND the caller's visible accounts, both in SQL.
// A window of N minutes holds the current minute and the N - 1 before it (as countsInWindow).

const SCOPED = 'tenant_id = $1 AND tenant_id = ANY($2::text[])';
const IN_WINDOW = "minute > date_trunc('minute', now()) - make_interval(mins => $3)";
const PIXELS = '($4::text[] IS NULL OR pixel_id = ANY($4::text[]))';
/** Outcomes of events discarded by a deactivated pixel or account (never received), as SQL. */
const DISCARDED = [...NOT_RECEIVED].map((reason) => `'dropped.${reason}'`).join(', ');

function params(scope: TenantScope, minutes: number, pixelIds: readonly string[] | null): unknown[] {
  return [scope.tenantId, [...scope.visibleTenantIds], minutes, pixelIds ? [...pixelIds] : null];
}

export interface PixelWindow {
  received: number;
  published: number;
  /** Events that arrived while the pixel or its account was deactivated. */
  discarded: number;
  /** Websites the pixel received events from in the window, sorted. */
  domains: string[];
}

/** Per pixel: received and published counts and the websites seen, within the window. */
export async function pixelWindows(
  sql: Sql,
  scope: TenantScope,
  minutes: number,
  pixelIds: readonly string[],
): Promise<Map<string, PixelWindow>> {
  const rows = await sql.query<{ pixel_id: string; domain: string; r: number; pub: number; dis: number }>(
    `SELECT pixel_id, domain,
            coalesce(sum(count) FILTER (WHERE outcome = 'received'), 0)::int8 AS r,
            coalesce(sum(count) FILTER (WHERE outcome = 'published'), 0)::int8 AS pub,
            coalesce(sum(count) FILTER (WHERE outcome IN (${DISCARDED})), 0)::int8 AS dis
       FROM event_metrics
      WHERE ${SCOPED} AND ${IN_WINDOW} AND ${PIXELS} AND outcome IN ('received', 'published', ${DISCARDED})
      GROUP BY pixel_id, domain`,
    params(scope, minutes, pixelIds),
  );
  const out = new Map<string, PixelWindow>();
  for (const r of rows) {
    const w = out.get(r.pixel_id) ?? { received: 0, published: 0, discarded: 0, domains: [] };
    w.received += r.r;
    w.published += r.pub;
    w.discarded += r.dis;
    if (r.domain !== '' && r.r > 0) w.domains.push(r.domain);
    out.set(r.pixel_id, w);
  }
  for (const w of out.values()) w.domains.sort();
  return out;
}

export interface LastActivity {
  /** Epoch milliseconds; 0 when never. */
  lastReceived: number;
  lastPublished: number;
}

/** When each pixel of the account last received and last published an event (all time). */
export async function lastActivity(
  sql: Sql,
  scope: TenantScope,
  pixelIds: readonly string[],
): Promise<Map<string, LastActivity>> {
  const rows = await sql.query<{ pixel_id: string; lr: Date | null; lp: Date | null }>(
    `SELECT t.pixel_id, max(t.last_received_at) AS lr, max(t.last_published_at) AS lp
       FROM pixel_totals t JOIN pixels p ON p.pixel_id = t.pixel_id
      WHERE p.tenant_id = $1 AND p.tenant_id = ANY($2::text[]) AND t.pixel_id = ANY($3::text[])
      GROUP BY t.pixel_id`,
    [scope.tenantId, [...scope.visibleTenantIds], [...pixelIds]],
  );
  return new Map(
    rows.map((r) => [r.pixel_id, { lastReceived: r.lr?.getTime() ?? 0, lastPublished: r.lp?.getTime() ?? 0 }]),
  );
}

export interface ActivityRow {
  eventName: string;
  domain: string;
  /** received | published | deduplicated | dead_lettered | dropped.<reason> */
  outcome: string;
  count: number;
  /** Start of the last minute with a count, epoch milliseconds. */
  lastMinute: number;
}

/** The account's counts within the window by event name, website and outcome. */
export async function activityInWindow(
  sql: Sql,
  scope: TenantScope,
  minutes: number,
  pixelIds: readonly string[] | null,
): Promise<ActivityRow[]> {
  const rows = await sql.query<{ event_name: string; domain: string; outcome: string; n: number; last: Date }>(
    `SELECT event_name, domain, outcome, sum(count)::int8 AS n, max(minute) AS last
       FROM event_metrics
      WHERE ${SCOPED} AND ${IN_WINDOW} AND ${PIXELS}
      GROUP BY event_name, domain, outcome`,
    params(scope, minutes, pixelIds),
  );
  return rows.map((r) => ({
    eventName: r.event_name,
    domain: r.domain,
    outcome: r.outcome,
    count: r.n,
    lastMinute: r.last.getTime(),
  }));
}

export interface TimelineRow {
  /** Bucket start, epoch milliseconds. */
  at: number;
  received: number;
  published: number;
  /** Received events not published on purpose or for a reason (filters, duplicates, invalid). */
  dropped: number;
  /** Events that arrived while the pixel or its account was deactivated (not received). */
  discarded: number;
}

/** Counts per bucket of bucketMinutes over the window; buckets without traffic are absent. */
export async function timeline(
  sql: Sql,
  scope: TenantScope,
  minutes: number,
  pixelIds: readonly string[] | null,
  bucketMinutes: number,
): Promise<TimelineRow[]> {
  const rows = await sql.query<{ at: number; r: number; pub: number; d: number; dis: number }>(
    `SELECT (extract(epoch FROM date_bin(make_interval(mins => $5), minute, timestamptz '2000-01-01 00:00+00'))
              * 1000)::float8 AS at,
            coalesce(sum(count) FILTER (WHERE outcome = 'received'), 0)::int8 AS r,
            coalesce(sum(count) FILTER (WHERE outcome = 'published'), 0)::int8 AS pub,
            coalesce(sum(count) FILTER (WHERE outcome = 'deduplicated'
                                    OR (outcome LIKE 'dropped.%' AND outcome NOT IN (${DISCARDED}))), 0)::int8 AS d,
            coalesce(sum(count) FILTER (WHERE outcome IN (${DISCARDED})), 0)::int8 AS dis
       FROM event_metrics
      WHERE ${SCOPED} AND ${IN_WINDOW} AND ${PIXELS}
      GROUP BY 1 ORDER BY 1`,
    [...params(scope, minutes, pixelIds), bucketMinutes],
  );
  return rows.map((r) => ({
    at: Number(r.at),
    received: Number(r.r),
    published: Number(r.pub),
    dropped: Number(r.d),
    discarded: Number(r.dis),
  }));
}
