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
      if (db.kind === 'pglite')
        await db.exec(ticks % 20 === 0 ? 'VACUUM (ANALYZE) event_queue; ANALYZE' : 'VACUUM (ANALYZE) event_queue');
      await createRecentEventsRepo(db).trim();
      if (ticks++ % 20 === 0) {
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
