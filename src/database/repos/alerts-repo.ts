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

/**
 * A condition that holds now for one lane (docs/pipelines.md): `pixelId` is a pixel connection's
 * pixel id or a Signals Gateway destination's id (`sg_v1_dd_…`), as in the queue.
 */
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

/** The destination a lane belongs to, when it is not a pixel connection's. */
export interface LaneDestination {
  id: string;
  /** null once the destination was deleted. */
  name: string | null;
  type: string | null;
}

/** An incident with what it is about, for people and webhooks to read. */
export interface DescribedIncident extends Incident {
  destination: LaneDestination | null;
  /** Channels that already have its current state ('firing:webhook', 'resolved:email', ...). */
  delivered: string[];
}

/** Dead letters in this window are compared with what was published in it. */
const DEAD_LETTER_WINDOW_MIN = 15;
/** Fewer dead letters than this in the window never fire, whatever the rate. */
const DEAD_LETTER_MIN_COUNT = 10;
/** Meta refuses events older than 7 days: warn a day before. */
/** Warned about with this much time left before Meta's limit. */
const NEAR_EXPIRY_SEC = 24 * 3600;

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

    /**
     * Every condition that holds now, for the lanes of accounts with alerts on: each pixel
     * connection (publishing switched on or off per pixel) and each destination of a gateway
     * pipeline (switched by its active flag). Only lanes sent to Meta expire after 7 days.
     */
    async conditions(): Promise<AlertCondition[]> {
      return db.query<AlertCondition>(
        `WITH s AS (SELECT * FROM alert_settings WHERE enabled),
         lanes AS (
           SELECT p.tenant_id, p.pixel_id AS lane, p.bad_token, p.publishing_enabled AS publishing, true AS expires,
                  'Meta rejects the access token: events are held until it is replaced' AS token_detail
             FROM pixels p
           UNION ALL
           SELECT d.tenant_id, d.id, d.bad_token, d.active, d.type = 'META_CONVERSIONS_API',
                  CASE WHEN d.type = 'META_CONVERSIONS_API'
                       THEN 'Meta rejects the destination''s access token: events are held until it is replaced'
                       ELSE 'the destination rejects its credentials: events are held until they are replaced' END
             FROM data_destinations d WHERE d.pixel_id IS NULL),
         px AS (SELECT l.tenant_id, l.lane AS pixel_id, l.bad_token, l.publishing, l.expires, l.token_detail,
                       s.stall_minutes, s.dead_letter_percent, s.queue_age_minutes
                  FROM lanes l JOIN s ON s.tenant_id = l.tenant_id),
         q AS (SELECT pixel_id, count(*) AS depth, min(enqueued_at) AS oldest,
                      -- When Meta stops taking the earliest of them: 7 days, 62 for physical_store.
                      min(event_time + CASE WHEN event->>'action_source' = 'physical_store' THEN 62 ELSE 7 END * 86400)
                        AS refused_from
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
           SELECT px.tenant_id, px.pixel_id, 'token_rejected' AS kind, px.token_detail AS detail
             FROM px WHERE px.bad_token
           UNION ALL
           SELECT px.tenant_id, px.pixel_id, 'stalled',
                  format('%s events waiting and none published for %s minutes', q.depth, px.stall_minutes)
             FROM px JOIN q USING (pixel_id) LEFT JOIN m USING (pixel_id)
            WHERE px.publishing AND q.oldest < now() - make_interval(mins => px.stall_minutes)
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
                  'queued events are close to the limit after which Meta refuses them (7 days; 62 for physical_store)'
             FROM px JOIN q USING (pixel_id)
            WHERE px.expires AND q.refused_from < extract(epoch FROM now())::int8 + ${NEAR_EXPIRY_SEC}
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
    async claimNotifications(): Promise<Array<DescribedIncident & { state: 'firing' | 'resolved' }>> {
      const resolved = await db.query<IncidentRow>(
        `WITH i AS (UPDATE alert_incidents SET resolved_sent = true, attempts = attempts + 1
                     WHERE fired_sent AND resolved_at IS NOT NULL AND NOT resolved_sent
                       AND resolved_at > now() - interval '1 day'
                     RETURNING *)
         ${DESCRIBED_FROM_I}`,
      );
      const firing = await db.query<IncidentRow>(
        `WITH i AS (UPDATE alert_incidents SET fired_sent = true, attempts = attempts + 1
                     WHERE NOT fired_sent AND opened_at > now() - interval '1 day'
                     RETURNING *)
         ${DESCRIBED_FROM_I}`,
      );
      return [
        ...firing.map((r) => ({ ...described(r), state: 'firing' as const })),
        ...resolved.map((r) => ({ ...described(r), state: 'resolved' as const })),
      ];
    },

    /** A channel has this state of the incident: a retry of the notification leaves it out. */
    async markDelivered(id: number, state: 'firing' | 'resolved', channel: 'webhook' | 'email'): Promise<void> {
      await db.query(
        `UPDATE alert_incidents SET delivered = array_append(delivered, $2) WHERE id = $1 AND NOT $2 = ANY(delivered)`,
        [id, `${state}:${channel}`],
      );
    },

    async releaseNotification(id: number, state: 'firing' | 'resolved'): Promise<void> {
      await db.query(
        `UPDATE alert_incidents SET ${state === 'firing' ? 'fired_sent' : 'resolved_sent'} = false WHERE id = $1`,
        [id],
      );
    },

    async incidents(tenantId: string, limit: number): Promise<DescribedIncident[]> {
      const rows = await db.query<IncidentRow>(
        `WITH i AS (SELECT * FROM alert_incidents WHERE tenant_id = $1 ORDER BY opened_at DESC, id DESC LIMIT $2)
         ${DESCRIBED_FROM_I} ORDER BY "openedAt" DESC, id DESC`,
        [tenantId, limit],
      );
      return rows.map(described);
    },
  };
}

/** Incidents `i` with their lane's destination (none for a pixel connection's lane). */
const DESCRIBED_FROM_I = `
  SELECT i.id, i.tenant_id AS "tenantId", i.pixel_id AS "pixelId", i.kind, i.detail, i.opened_at AS "openedAt",
         i.resolved_at AS "resolvedAt", i.delivered, i.pixel_id LIKE 'sg\\_v1\\_dd\\_%' AS "isDestination",
         d.name AS "destinationName", d.type AS "destinationType"
    FROM i LEFT JOIN data_destinations d ON d.id = i.pixel_id AND d.pixel_id IS NULL AND d.tenant_id = i.tenant_id`;

interface IncidentRow extends Incident {
  delivered: string[];
  isDestination: boolean;
  destinationName: string | null;
  destinationType: string | null;
}

function described({ isDestination, destinationName, destinationType, ...incident }: IncidentRow): DescribedIncident {
  return {
    ...incident,
    destination: isDestination ? { id: incident.pixelId, name: destinationName, type: destinationType } : null,
  };
}

export type AlertsRepo = ReturnType<typeof createAlertsRepo>;
