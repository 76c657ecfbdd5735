import type { Db } from '../database/db.js';
import { createRecentEventsRepo } from '../database/repos/recent-events-repo.js';
import type { Logger } from '../platform/logger.js';

// Housekeeping that keeps the tables small and fast: expired dedup keys, old per-minute counts,
// live-event samples beyond the newest per pixel. VACUUM and ANALYZE are PostgreSQL's autovacuum's,
// on the embedded server as on any other.

const METRICS_RETENTION_DAYS = 35;

export function startMaintenance(db: Db, log: Logger, opts: { intervalMs?: number } = {}): () => void {
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
      await createRecentEventsRepo(db).trim();
      if (slowTick) {
        await db.query(
          `DELETE FROM dedup_keys WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM dedup_keys WHERE seen_at < now() - interval '48 hours' LIMIT 50000))`,
        );
        await db.query(`DELETE FROM event_metrics WHERE minute < now() - make_interval(days => $1)`, [
          METRICS_RETENTION_DAYS,
        ]);
        await db.query(`DELETE FROM alert_incidents WHERE resolved_at < now() - make_interval(days => $1)`, [
          METRICS_RETENTION_DAYS,
        ]);
        // An upload whose gateway stopped mid-file: the rows it committed stay reported; it is
        // marked failed rather than shown running forever.
        await db.query(
          `UPDATE file_uploads SET status = 'FAILED', finished_at = now(),
                  error = coalesce(error, 'the gateway stopped before the upload finished; the rows counted were kept')
            WHERE status = 'RUNNING' AND updated_at < now() - interval '15 minutes'`,
        );
      }
    });
  const timer = setInterval(tick, opts.intervalMs ?? 30_000);
  timer.unref();
  return () => clearInterval(timer);
}
