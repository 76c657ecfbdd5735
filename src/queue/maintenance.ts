import type { Db } from '../database/db.js';
import { createRecentEventsRepo } from '../database/repos/recent-events-repo.js';
import type { Logger } from '../platform/logger.js';

// Housekeeping that keeps the tables small and fast: expired dedup keys, old per-minute counts,
// live-event samples beyond the newest per pixel, and, on PGlite (which has no autovacuum), VACUUM
// of the queue and statistics for tables that changed.

const METRICS_RETENTION_DAYS = 35;

export function startMaintenance(
  db: Db,
  log: Logger,
  opts: { intervalMs?: number; vacuumCheckMs?: number } = {},
): () => void {
  let busy = false;
  let ticks = 0;
  const run = async (work: () => Promise<void>) => {
    if (busy) return;
    busy = true;
    try {
      await work();
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'maintenance failed; it runs again shortly');
    } finally {
      busy = false;
    }
  };
  const tick = () =>
    run(async () => {
      // The slow work comes on the 20th tick, not the first: a gateway that just started is often
      // under load (a restart, a benchmark), and there is nothing old to prune yet.
      const slowTick = ++ticks % 20 === 0;
      if (db.kind === 'pglite' && slowTick) await analyzeChangedTables(db);
      await createRecentEventsRepo(db).trim();
      if (slowTick) {
        await db.query(
          `DELETE FROM dedup_keys WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM dedup_keys WHERE seen_at < now() - interval '48 hours' LIMIT 50000))`,
        );
        await db.query(`DELETE FROM event_metrics WHERE minute < now() - make_interval(days => $1)`, [
          METRICS_RETENTION_DAYS,
        ]);
      }
    });
  const timers = [setInterval(tick, opts.intervalMs ?? 30_000)];
  // PGlite's VACUUM stops every other statement while it runs, and its cost grows with the dead
  // rows: checked often and run once a tenth of the queue is dead, each run stays short (every
  // 30 s, one run after a burst took 250 ms).
  if (db.kind === 'pglite')
    timers.push(setInterval(() => run(() => vacuumQueueIfNeeded(db)), opts.vacuumCheckMs ?? 5_000));
  for (const t of timers) t.unref();
  return () => {
    for (const t of timers) clearInterval(t);
  };
}

async function vacuumQueueIfNeeded(db: Db): Promise<void> {
  const [due] = await db.query<{ due: boolean }>(
    `SELECT n_dead_tup > 2000 + 0.1 * n_live_tup AS due FROM pg_stat_user_tables WHERE relname = 'event_queue'`,
  );
  if (due?.due) await db.exec('VACUUM event_queue');
}

/**
 * ANALYZE for the tables that changed by a fifth since their last statistics, as autovacuum would.
 * On PGlite it blocks every other statement (a quarter of a second for 300,000 queued events), so
 * it runs at most every 20 ticks; the claim's plan does not depend on fresh statistics.
 */
async function analyzeChangedTables(db: Db): Promise<void> {
  const tables = await db.query<{ name: string }>(
    `SELECT quote_ident(relname) AS name FROM pg_stat_user_tables
      WHERE n_mod_since_analyze > 1000 + 0.2 * n_live_tup`,
  );
  for (const t of tables) await db.exec(`ANALYZE ${t.name}`);
}
