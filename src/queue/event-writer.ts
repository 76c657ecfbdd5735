import { type Db, isUnavailableError, pgJson, type Sql } from '../database/db.js';
import {
  APPLY_COUNTS,
  COUNTER_SHARDS,
  COUNTS_FROM_JSON,
  countsParam,
  randomShard,
} from '../database/repos/metrics-repo.js';
import { type LiveSample, SAMPLE_COLUMNS, samplesParam } from '../database/repos/recent-events-repo.js';
import { Counts } from '../domain/counts.js';
import type { AcceptedEvent } from '../domain/event.js';
import { type GatewayMetrics, noMetrics } from '../domain/metrics.js';
import type { Logger } from '../platform/logger.js';

// Bulk rows travel as one JSON parameter (jsonb_to_recordset): one parameter whatever the batch,
// so the statement is prepared once.
// Group commit: requests that arrive while a transaction is being written wait for the next one,
// so under load one transaction stores the events of many requests and durability costs little.
// A request is answered only after the transaction holding its events has committed.

export interface CommitResult {
  queued: number;
  duplicates: number;
  notPublished: number;
}

interface Pending {
  accepted: AcceptedEvent[];
  counts: Counts;
  dropSamples: LiveSample[];
  resolve: (r: CommitResult) => void;
  reject: (e: unknown) => void;
}

export interface EventWriter {
  /**
   * Stores the events (deduplicated) and the counts, and samples of dropped events for the
   * dashboard's Live events; resolves once committed.
   */
  commit(accepted: AcceptedEvent[], counts: Counts, dropSamples?: LiveSample[]): Promise<CommitResult>;
  /** Resolves when everything handed in so far is committed or failed. */
  drain(): Promise<void>;
}

export function createEventWriter(deps: {
  db: Db;
  log: Logger;
  /**
   * Events per transaction. Beyond a few hundred the statement costs no less per event, and each
   * in-flight transaction's JSON is held by the gateway and by its database session: 500 instead of
   * 5,000 took 50 MB off the embedded default's peak memory under batches of 100.
   */
  maxEventsPerTx?: number;
  /** Transactions in flight at once: PostgreSQL overlaps their commits (group commit in the WAL). */
  maxInFlight?: number;
  /** Called with the lanes that got new events, to wake their publishers. */
  onQueued?: (pixelIds: Set<string>) => void;
  /** Keep samples of dropped events for the dashboard (CAPIG_LIVE_EVENTS). Default on. */
  liveEvents?: boolean;
  /** Told what each committed group counted (received, dropped, deduplicated). */
  metrics?: GatewayMetrics;
}): EventWriter {
  const liveEvents = deps.liveEvents ?? true;
  const maxEvents = deps.maxEventsPerTx ?? 500;
  const maxInFlight = deps.maxInFlight ?? 4;
  // Each in-flight slot writes its counts to its own shard, so concurrent commits never wait on a row.
  const shardBase = randomShard();
  const freeSlots = Array.from({ length: maxInFlight }, (_, i) => i);
  const pending: Pending[] = [];
  let scheduled = false;
  let idle: Array<() => void> = [];

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // Let the requests parsed in this turn of the event loop join the same transaction.
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  };

  function pump() {
    while (pending.length > 0 && freeSlots.length > 0) {
      const slot = freeSlots.pop() as number;
      const group: Pending[] = [];
      let n = 0;
      while (pending.length > 0 && (group.length === 0 || n + (pending[0]?.accepted.length ?? 0) <= maxEvents)) {
        const p = pending.shift() as Pending;
        n += p.accepted.length;
        group.push(p);
      }
      flush(group, (shardBase + slot) % COUNTER_SHARDS).finally(() => {
        freeSlots.push(slot);
        if (pending.length > 0) pump();
        else if (freeSlots.length === maxInFlight) {
          for (const resolve of idle) resolve();
          idle = [];
        }
      });
    }
  }

  async function flush(group: Pending[], shard: number) {
    try {
      const results = await writeGroup(deps.db, group, shard, liveEvents, deps.metrics ?? noMetrics);
      for (const [i, p] of group.entries()) p.resolve(results[i] as CommitResult);
      const lanes = new Set(group.flatMap((p) => p.accepted.filter((a) => a.publish).flatMap((a) => a.lanes)));
      if (lanes.size > 0) deps.onQueued?.(lanes);
    } catch (err) {
      // One request's data must not fail the others it shared a transaction with: unless the
      // database itself is unreachable, write each request on its own.
      if (group.length > 1 && !isUnavailableError(err)) {
        for (const p of group) await flush([p], shard);
        return;
      }
      // An unreachable database is an outage the senders see as 503s, not a bug.
      const level = isUnavailableError(err) ? 'warn' : 'error';
      deps.log[level]({ err: { message: (err as Error).message } }, 'event commit failed');
      for (const p of group) p.reject(err);
    }
  }

  return {
    commit(accepted, counts, dropSamples = []) {
      return new Promise<CommitResult>((resolve, reject) => {
        pending.push({ accepted, counts, dropSamples, resolve, reject });
        schedule();
      });
    },
    drain() {
      if (pending.length === 0 && freeSlots.length === maxInFlight && !scheduled) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

const NOT_PUBLISHED_REASON = 'publishing_disabled: publishing is switched off for this event or pixel';
const DUPLICATE_REASON = 'duplicate: an event with this event_name and event_id arrived in the last 48 hours';
/** Samples of dropped events per group commit, so a flood of drops costs the same as a trickle. */
const DROP_SAMPLES_PER_GROUP = 10;

// One statement does it all (a statement is atomic, and one round trip is cheaper than three): take the
// dedup keys not seen in 48 hours (per source), queue the fresh events that are to be published (one
// row per lane: each destination delivers, retries and dead-letters on its own), and add every count. It returns the positions of the events that turned out to be duplicates.
const WRITE_GROUP = `
  WITH incoming AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
        AS x(i int, p text, t text, e jsonb, n text, et int8, d text, c text, k text, pub bool, dup bool, ls jsonb)),
  fresh AS (
    INSERT INTO dedup_keys (pixel_id, event_name, event_id)
    SELECT p, n, k FROM incoming WHERE k IS NOT NULL AND NOT dup ORDER BY p, n, k
    ON CONFLICT (pixel_id, event_name, event_id)
    DO UPDATE SET seen_at = now() WHERE dedup_keys.seen_at < now() - interval '48 hours'
    RETURNING pixel_id, event_name, event_id),
  decided AS (
    SELECT incoming.*, NOT dup AND (k IS NULL OR EXISTS (
             SELECT 1 FROM fresh f WHERE f.pixel_id = p AND f.event_name = n AND f.event_id = k)) AS is_fresh
      FROM incoming),
  queued AS (
    INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, domain, test_event_code)
    SELECT lane, t, e, n, et, d, c FROM decided CROSS JOIN LATERAL jsonb_array_elements_text(ls) AS lane
     WHERE is_fresh AND pub ORDER BY i),
  counts AS (
    ${COUNTS_FROM_JSON('$2')}
    UNION ALL
    SELECT t, p, n, d, CASE WHEN is_fresh THEN 'dropped.publishing_disabled' ELSE 'deduplicated' END, count(*)
      FROM decided WHERE NOT is_fresh OR NOT pub GROUP BY 1, 2, 3, 4, 5),
  live AS (
    INSERT INTO recent_events (tenant_id, pixel_id, event_name, event_id, outcome, reason, payload)
    SELECT t, p, n, coalesce(k, ''), 'DROPPED', r, e FROM jsonb_to_recordset($4::jsonb) AS s(${SAMPLE_COLUMNS})
    UNION ALL
    (SELECT t, p, n, coalesce(e->>'event_id', ''), 'DROPPED',
            CASE WHEN is_fresh THEN '${NOT_PUBLISHED_REASON}' ELSE '${DUPLICATE_REASON}' END, e
       FROM decided WHERE $5::boolean AND (NOT is_fresh OR NOT pub) LIMIT ${DROP_SAMPLES_PER_GROUP})),
  ${APPLY_COUNTS('$3::int2')}
  SELECT i FROM decided WHERE NOT is_fresh`;

async function writeGroup(
  sql: Sql,
  group: Pending[],
  shard: number,
  liveEvents: boolean,
  metrics: GatewayMetrics,
): Promise<CommitResult[]> {
  const counts = new Counts();
  const rows: unknown[] = [];
  const dropSamples = liveEvents ? group.flatMap((p) => p.dropSamples).slice(0, DROP_SAMPLES_PER_GROUP) : [];
  const owner: number[] = [];
  const seen = new Set<string>();
  for (const [g, p] of group.entries()) {
    counts.merge(p.counts);
    for (const a of p.accepted) {
      // Duplicates inside this group: the first one wins, as it would across groups.
      const key = a.dedupKey === null ? null : dedupId(a.pixelId, a.event.event_name, a.dedupKey);
      const dup = key !== null && seen.has(key);
      if (key !== null) seen.add(key);
      owner.push(g);
      rows.push({
        i: rows.length,
        p: a.pixelId,
        t: a.tenantId,
        e: a.event,
        n: a.event.event_name,
        et: a.event.event_time,
        d: a.domain,
        c: a.testEventCode,
        k: a.dedupKey,
        pub: a.publish,
        dup,
        ls: a.lanes,
      });
    }
  }
  const duplicates = new Set(
    (
      await sql.query<{ i: number }>(WRITE_GROUP, [
        pgJson(rows),
        countsParam(counts.list()),
        shard,
        samplesParam(dropSamples),
        liveEvents,
      ])
    ).map((r) => r.i),
  );
  const results: CommitResult[] = group.map(() => ({ queued: 0, duplicates: 0, notPublished: 0 }));
  let i = 0;
  for (const p of group) {
    for (const a of p.accepted) {
      const r = results[owner[i] as number] as CommitResult;
      if (duplicates.has(i)) {
        r.duplicates++;
        metrics.events('deduplicated', a.pixelId, a.tenantId, 1);
      } else if (!a.publish) {
        r.notPublished++;
        metrics.events('dropped.publishing_disabled', a.pixelId, a.tenantId, 1);
      } else r.queued++;
      i++;
    }
  }
  for (const c of counts.list()) metrics.events(c.outcome, c.pixelId, c.tenantId, c.count);
  return results;
}

function dedupId(pixelId: string, eventName: string, eventId: string): string {
  return `${pixelId}\u0000${eventName}\u0000${eventId}`;
}
