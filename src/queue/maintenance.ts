import type { Db } from '../database/db.js';
import { createRecentEventsRepo } from '../database/repos/recent-events-repo.js';
import type { Logger } from '../platform/logger.js';

// Housekeeping that keeps the tables small and fast: expired dedup keys, old per-minute counts,
// live-event samples beyond the newest per pixel, and, on PGlite (which has no autovacuum), a
// regular VACUUM of the queue and fresh planner statistics.

const METRICS_RETENTION_DAYS = 35;

export function startMaintenance(db: Db, log: Logger, opts: { intervalMs?: number } = {}): () => void {
  let busy = false;
  let ticks = 0;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const slowTick = ticks++ % 20 === 0;
      // Separate statements: VACUUM cannot run inside the implicit transaction of a multi-statement query.
      if (db.kind === 'pglite') await db.exec('VACUUM (ANALYZE) event_queue');
      if (db.kind === 'pglite' && slowTick) await db.exec('ANALYZE');
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
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'maintenance failed; it runs again shortly');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(tick, opts.intervalMs ?? 30_000);
  timer.unref();
  return () => clearInterval(timer);
}
