import type { CountRow } from '../domain/counts.js';
import { Counts } from '../domain/counts.js';
import type { AcceptedEvent } from '../domain/event.js';
import type { Db, Sql } from '../database/db.js';
import { addCounts } from '../database/repos/metrics-repo.js';
import type { Logger } from '../platform/logger.js';

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
  resolve: (r: CommitResult) => void;
  reject: (e: unknown) => void;
}

export interface EventWriter {
  /** Stores the events (deduplicated) and the counts; resolves once committed. */
  commit(accepted: AcceptedEvent[], counts: Counts): Promise<CommitResult>;
  /** Resolves when everything handed in so far is committed or failed. */
  drain(): Promise<void>;
}

const DEDUP_WINDOW = "interval '48 hours'";

export function createEventWriter(deps: {
  db: Db;
  log: Logger;
  maxEventsPerTx?: number;
  /** Called with the pixels that got new events, to wake their publishers. */
  onQueued?: (pixelIds: Set<string>) => void;
}): EventWriter {
  const maxEvents = deps.maxEventsPerTx ?? 5000;
  const pending: Pending[] = [];
  let running: Promise<void> | null = null;

  const schedule = () => {
    if (running) return;
    running = new Promise<void>((r) => setImmediate(r)).then(flushAll).finally(() => {
      running = null;
      if (pending.length > 0) schedule();
    });
  };

  async function flushAll() {
    while (pending.length > 0) {
      const group: Pending[] = [];
      let n = 0;
      while (pending.length > 0 && (group.length === 0 || n + (pending[0]?.accepted.length ?? 0) <= maxEvents)) {
        const p = pending.shift() as Pending;
        n += p.accepted.length;
        group.push(p);
      }
      try {
        const results = await deps.db.transaction((tx) => writeGroup(tx, group));
        for (const [i, p] of group.entries()) p.resolve(results[i] as CommitResult);
        const pixels = new Set(group.flatMap((p) => p.accepted.filter((a) => a.publish).map((a) => a.pixelId)));
        if (pixels.size > 0) deps.onQueued?.(pixels);
      } catch (err) {
        deps.log.error({ err: { message: (err as Error).message } }, 'event commit failed');
        for (const p of group) p.reject(err);
      }
    }
  }

  return {
    commit(accepted, counts) {
      return new Promise<CommitResult>((resolve, reject) => {
        pending.push({ accepted, counts, resolve, reject });
        schedule();
      });
    },
    async drain() {
      while (running) await running;
    },
  };
}

async function writeGroup(tx: Sql, group: Pending[]): Promise<CommitResult[]> {
  const counts = new Counts();
  // Duplicates inside this group: the first one wins, as it would across groups.
  const firstOfKey = new Map<string, AcceptedEvent>();
  for (const p of group) {
    counts.merge(p.counts);
    for (const a of p.accepted) {
      if (a.dedupKey === null) continue;
      const key = dedupId(a.pixelId, a.event.event_name, a.dedupKey);
      if (!firstOfKey.has(key)) firstOfKey.set(key, a);
    }
  }
  const fresh = await claimDedupKeys(tx, [...firstOfKey.values()]);

  const results: CommitResult[] = [];
  const toQueue: AcceptedEvent[] = [];
  for (const p of group) {
    const r: CommitResult = { queued: 0, duplicates: 0, notPublished: 0 };
    for (const a of p.accepted) {
      const key = a.dedupKey === null ? null : dedupId(a.pixelId, a.event.event_name, a.dedupKey);
      const base = { tenantId: a.tenantId, pixelId: a.pixelId, eventName: a.event.event_name, domain: a.domain };
      if (key !== null && (firstOfKey.get(key) !== a || !fresh.has(key))) {
        r.duplicates++;
        counts.add({ ...base, outcome: 'deduplicated' });
      } else if (!a.publish) {
        r.notPublished++;
        counts.add({ ...base, outcome: 'dropped.publishing_disabled' });
      } else {
        r.queued++;
        toQueue.push(a);
      }
    }
    results.push(r);
  }

  if (toQueue.length > 0) {
    await tx.query(
      `INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, domain, test_event_code)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::int8[], $6::text[], $7::text[])`,
      [
        toQueue.map((a) => a.pixelId),
        toQueue.map((a) => a.tenantId),
        toQueue.map((a) => JSON.stringify(a.event)),
        toQueue.map((a) => a.event.event_name),
        toQueue.map((a) => a.event.event_time),
        toQueue.map((a) => a.domain),
        toQueue.map((a) => a.testEventCode),
      ],
    );
  }
  await addCounts(tx, counts.list() satisfies CountRow[]);
  return results;
}

/** Takes the keys not seen in the last 48 hours; returns those this transaction took. */
async function claimDedupKeys(tx: Sql, events: AcceptedEvent[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const sorted = [...events].sort((a, b) =>
    dedupId(a.pixelId, a.event.event_name, a.dedupKey as string) <
    dedupId(b.pixelId, b.event.event_name, b.dedupKey as string)
      ? -1
      : 1,
  );
  const rows = await tx.query<{ pixel_id: string; event_name: string; event_id: string }>(
    `INSERT INTO dedup_keys (pixel_id, event_name, event_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (pixel_id, event_name, event_id)
     DO UPDATE SET seen_at = now() WHERE dedup_keys.seen_at < now() - ${DEDUP_WINDOW}
     RETURNING pixel_id, event_name, event_id`,
    [sorted.map((a) => a.pixelId), sorted.map((a) => a.event.event_name), sorted.map((a) => a.dedupKey)],
  );
  return new Set(rows.map((r) => dedupId(r.pixel_id, r.event_name, r.event_id)));
}

function dedupId(pixelId: string, eventName: string, eventId: string): string {
  return `${pixelId}\u0000${eventName}\u0000${eventId}`;
}
