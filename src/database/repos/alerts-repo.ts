import type { Sql } from '../db.js';

// Alert settings per account, the conditions the monitor checks, and the incidents it opened.

export interface AlertSettings {
  enabled: boolean;
  emails: string[];
  webhookUrl: string | null;
  stallMinutes: number;
  deadLetterPercent: number;
  queueAgeMinutes: number;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  enabled: true,
  emails: [],
  webhookUrl: null,
  stallMinutes: 30,
  deadLetterPercent: 10,
  queueAgeMinutes: 60,
};

export type AlertKind = 'stalled' | 'token_rejected' | 'dead_letters' | 'queue_age' | 'near_expiry';

/** A condition that holds now for one pixel. */
export interface AlertCondition {
  tenantId: string;
  pixelId: string;
  kind: AlertKind;
  detail: string;
}

export interface Incident extends AlertCondition {
  id: number;
  openedAt: Date;
  resolvedAt: Date | null;
}

/** Dead letters in this window are compared with what was published in it. */
const DEAD_LETTER_WINDOW_MIN = 15;
/** Fewer dead letters than this in the window never fire, whatever the rate. */
const DEAD_LETTER_MIN_COUNT = 10;
/** Meta refuses events older than 7 days: warn a day before. */
const NEAR_EXPIRY_SEC = 6 * 24 * 3600;

export function createAlertsRepo(db: Sql) {
  return {
    async settings(tenantId: string): Promise<AlertSettings | null> {
      const [r] = await db.query<{
        enabled: boolean;
        emails: string[];
        webhook_url: string | null;
        stall_minutes: number;
        dead_letter_percent: number;
        queue_age_minutes: number;
      }>('SELECT * FROM alert_settings WHERE tenant_id = $1', [tenantId]);
      if (!r) return null;
      return {
        enabled: r.enabled,
        emails: r.emails,
        webhookUrl: r.webhook_url,
        stallMinutes: r.stall_minutes,
        deadLetterPercent: r.dead_letter_percent,
        queueAgeMinutes: r.queue_age_minutes,
      };
    },

    async save(tenantId: string, s: AlertSettings): Promise<void> {
      await db.query(
        `INSERT INTO alert_settings (tenant_id, enabled, emails, webhook_url, stall_minutes, dead_letter_percent,
                                     queue_age_minutes, updated_at)
         VALUES ($1, $2, $3::text[], $4, $5, $6, $7, now())
         ON CONFLICT (tenant_id) DO UPDATE SET enabled = excluded.enabled, emails = excluded.emails,
           webhook_url = excluded.webhook_url, stall_minutes = excluded.stall_minutes,
           dead_letter_percent = excluded.dead_letter_percent, queue_age_minutes = excluded.queue_age_minutes,
           updated_at = now()`,
        [tenantId, s.enabled, s.emails, s.webhookUrl, s.stallMinutes, s.deadLetterPercent, s.queueAgeMinutes],
      );
    },

    /** Every condition that holds now, for the pixels of accounts with alerts on. */
    async conditions(): Promise<AlertCondition[]> {
      return db.query<AlertCondition>(
        `WITH s AS (SELECT * FROM alert_settings WHERE enabled),
         px AS (SELECT p.tenant_id, p.pixel_id, p.bad_token, p.publishing_enabled, s.stall_minutes,
                       s.dead_letter_percent, s.queue_age_minutes
                  FROM pixels p JOIN s ON s.tenant_id = p.tenant_id),
         q AS (SELECT pixel_id, count(*) AS depth, min(enqueued_at) AS oldest, min(event_time) AS oldest_event
                 FROM event_queue WHERE pixel_id IN (SELECT pixel_id FROM px) GROUP BY 1),
         m AS (SELECT px.pixel_id,
                 coalesce(sum(e.count) FILTER (WHERE e.outcome = 'published'
                   AND e.minute >= now() - make_interval(mins => px.stall_minutes)), 0) AS published_stall,
                 coalesce(sum(e.count) FILTER (WHERE e.outcome = 'published'
                   AND e.minute >= now() - make_interval(mins => ${DEAD_LETTER_WINDOW_MIN})), 0) AS published_recent,
                 coalesce(sum(e.count) FILTER (WHERE e.outcome = 'dead_lettered'
                   AND e.minute >= now() - make_interval(mins => ${DEAD_LETTER_WINDOW_MIN})), 0) AS dead_recent
                 FROM px JOIN event_metrics e ON e.tenant_id = px.tenant_id AND e.pixel_id = px.pixel_id
                WHERE e.minute >= now() - make_interval(mins => greatest(px.stall_minutes, ${DEAD_LETTER_WINDOW_MIN}))
                GROUP BY 1)
         SELECT tenant_id AS "tenantId", pixel_id AS "pixelId", kind, detail FROM (
           SELECT px.tenant_id, px.pixel_id, 'token_rejected' AS kind,
                  'Meta rejects the access token: events are held until it is replaced' AS detail
             FROM px WHERE px.bad_token
           UNION ALL
           SELECT px.tenant_id, px.pixel_id, 'stalled',
                  format('%s events waiting and none published for %s minutes', q.depth, px.stall_minutes)
             FROM px JOIN q USING (pixel_id) LEFT JOIN m USING (pixel_id)
            WHERE px.publishing_enabled AND q.oldest < now() - make_interval(mins => px.stall_minutes)
              AND coalesce(m.published_stall, 0) = 0
           UNION ALL
           SELECT px.tenant_id, px.pixel_id, 'dead_letters',
                  format('%s of %s events dead-lettered in %s minutes', m.dead_recent,
                         m.dead_recent + m.published_recent, ${DEAD_LETTER_WINDOW_MIN})
             FROM px JOIN m USING (pixel_id)
            WHERE m.dead_recent >= ${DEAD_LETTER_MIN_COUNT}
              AND m.dead_recent * 100 >= px.dead_letter_percent * (m.dead_recent + m.published_recent)
           UNION ALL
           SELECT px.tenant_id, px.pixel_id, 'queue_age',
                  format('the oldest queued event waits for %s minutes', floor(extract(epoch FROM now() - q.oldest) / 60))
             FROM px JOIN q USING (pixel_id) WHERE q.oldest < now() - make_interval(mins => px.queue_age_minutes)
           UNION ALL
           SELECT px.tenant_id, px.pixel_id, 'near_expiry',
                  'queued events are close to the 7 days after which Meta refuses them'
             FROM px JOIN q USING (pixel_id)
            WHERE q.oldest_event < extract(epoch FROM now())::int8 - ${NEAR_EXPIRY_SEC}
         ) c`,
      );
    },

    /** Opens an incident unless one is open; returns it only when this call opened it. */
    async open(c: AlertCondition): Promise<number | null> {
      const [r] = await db.query<{ id: number }>(
        `INSERT INTO alert_incidents (tenant_id, pixel_id, kind, detail) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, pixel_id, kind) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
        [c.tenantId, c.pixelId, c.kind, c.detail],
      );
      return r?.id ?? null;
    },

    async openIncidents(): Promise<Incident[]> {
      return db.query<Incident>(
        `SELECT id, tenant_id AS "tenantId", pixel_id AS "pixelId", kind, detail, opened_at AS "openedAt",
                resolved_at AS "resolvedAt"
           FROM alert_incidents WHERE resolved_at IS NULL`,
      );
    },

    /** Resolves an open incident; true only for the call that resolved it. */
    async resolve(id: number): Promise<boolean> {
      const rows = await db.query(
        'UPDATE alert_incidents SET resolved_at = now() WHERE id = $1 AND resolved_at IS NULL RETURNING 1',
        [id],
      );
      return rows.length > 0;
    },

    /**
     * Takes the notifications owed, so that one instance sends each: recoveries of incidents whose
     * firing was sent in an earlier round, then new firings (so a firing and its recovery never
     * leave in one round, out of order). A failed send hands it back (releaseNotification); after
     * a day it is given up.
     */
    async claimNotifications(): Promise<Array<Incident & { state: 'firing' | 'resolved' }>> {
      const columns = `id, tenant_id AS "tenantId", pixel_id AS "pixelId", kind, detail, opened_at AS "openedAt",
                       resolved_at AS "resolvedAt"`;
      const resolved = await db.query<Incident>(
        `UPDATE alert_incidents SET resolved_sent = true, attempts = attempts + 1
          WHERE fired_sent AND resolved_at IS NOT NULL AND NOT resolved_sent
            AND resolved_at > now() - interval '1 day'
          RETURNING ${columns}`,
      );
      const firing = await db.query<Incident>(
        `UPDATE alert_incidents SET fired_sent = true, attempts = attempts + 1
          WHERE NOT fired_sent AND opened_at > now() - interval '1 day'
          RETURNING ${columns}`,
      );
      return [
        ...firing.map((i) => ({ ...i, state: 'firing' as const })),
        ...resolved.map((i) => ({ ...i, state: 'resolved' as const })),
      ];
    },

    async releaseNotification(id: number, state: 'firing' | 'resolved'): Promise<void> {
      await db.query(
        `UPDATE alert_incidents SET ${state === 'firing' ? 'fired_sent' : 'resolved_sent'} = false WHERE id = $1`,
        [id],
      );
    },

    async incidents(tenantId: string, limit: number): Promise<Incident[]> {
      return db.query<Incident>(
        `SELECT id, tenant_id AS "tenantId", pixel_id AS "pixelId", kind, detail, opened_at AS "openedAt",
                resolved_at AS "resolvedAt"
           FROM alert_incidents WHERE tenant_id = $1 ORDER BY opened_at DESC, id DESC LIMIT $2`,
        [tenantId, limit],
      );
    },
  };
}

export type AlertsRepo = ReturnType<typeof createAlertsRepo>;
