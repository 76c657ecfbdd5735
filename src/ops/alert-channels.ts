import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import type { DescribedIncident } from '../database/repos/alerts-repo.js';
import type { Mailer } from '../platform/mailer.js';
import { publicOnlyLookup } from '../platform/public-address.js';

// Where an alert goes: a webhook (JSON, signed with the account's key) and email. Sending never
// throws: the outcome is data, and the monitor tries a failed notification again later.

export interface AlertNotice extends DescribedIncident {
  state: 'firing' | 'resolved';
}

export type SendOutcome = { ok: true } | { ok: false; error: string };

/** The key an account's webhook requests are signed with: derived, so nothing more is stored. */
export function webhookSigningKey(secret: string, tenantId: string): string {
  return createHmac('sha256', secret).update(`capig-alert-webhook\u0000${tenantId}`).digest('hex');
}

/** `X-Capig-Signature: sha256=<hex>` over `<timestamp>.<body>`, as receivers check it. */
export function signWebhook(key: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The webhook's JSON. `pixel_id` stays the lane (a destination's id for a gateway destination), so
 * receivers keyed on it keep working; `destination_*` are null for a pixel connection.
 */
export function noticeBody(n: AlertNotice): Record<string, unknown> {
  return {
    incident_id: String(n.id),
    account_id: n.tenantId,
    pixel_id: n.pixelId,
    destination_id: n.destination?.id ?? null,
    destination_name: n.destination?.name ?? null,
    destination_type: n.destination?.type ?? null,
    kind: n.kind,
    state: n.state,
    detail: n.detail,
    opened_at: n.openedAt.toISOString(),
    resolved_at: n.resolvedAt?.toISOString() ?? null,
  };
}

const TYPE_NAMES: Record<string, string> = {
  META_CONVERSIONS_API: 'Meta dataset',
  CUSTOM_HTTP_API: 'custom HTTP',
};

/**
 * What an alert is about, as people read it: `pixel 123` or `destination "Warehouse" (custom HTTP)`,
 * with the destination's id when `withId`.
 */
export function laneLabel(n: Pick<AlertNotice, 'pixelId' | 'destination'>, withId = false): string {
  const d = n.destination;
  if (!d) return `pixel ${n.pixelId}`;
  if (d.name === null) return `destination ${d.id}`;
  // The name is the account's own text: on one line, and short, in a mail subject.
  const name = d.name.replace(/\p{Cc}+/gu, ' ').slice(0, 100);
  const type = TYPE_NAMES[d.type ?? ''] ?? d.type;
  return `destination "${name}" (${withId ? `${type}, ${d.id}` : type})`;
}

export function createAlertChannels(deps: { secret: string; mailer: Mailer; allowPrivateWebhooks: boolean }) {
  const agent = new Agent({
    connect: { lookup: publicOnlyLookup(deps.allowPrivateWebhooks), timeout: 5_000 },
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return {
    async webhook(url: string, n: AlertNotice): Promise<SendOutcome> {
      const body = JSON.stringify(noticeBody(n));
      const timestamp = String(Math.floor(Date.now() / 1000));
      try {
        const res = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'capig-alerts',
            'x-capig-timestamp': timestamp,
            'x-capig-signature': signWebhook(webhookSigningKey(deps.secret, n.tenantId), timestamp, body),
          },
          body,
        });
        await res.body.dump();
        return res.statusCode < 300 ? { ok: true } : { ok: false, error: `HTTP ${res.statusCode}` };
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      }
    },

    async email(to: string[], n: AlertNotice): Promise<SendOutcome> {
      if (!deps.mailer.enabled || to.length === 0) return { ok: true };
      const what = n.state === 'firing' ? 'ALERT' : 'resolved';
      const r = await deps.mailer.send({
        to: to.join(', '),
        subject: `[capig] ${what}: ${laneLabel(n)}, ${n.kind.replace('_', ' ')}`,
        text:
          `${n.state === 'firing' ? 'Since' : 'Resolved after opening at'} ${n.openedAt.toISOString()}: ${n.detail}.\n\n` +
          `Account ${n.tenantId}, ${laneLabel(n, true)}. Incident ${n.id}.\n`,
      });
      return r.ok ? { ok: true } : { ok: false, error: r.error };
    },

    close: () => agent.close(),
  };
}

export type AlertChannels = ReturnType<typeof createAlertChannels>;
