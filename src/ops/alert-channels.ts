import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import type { Incident } from '../database/repos/alerts-repo.js';
import type { Mailer } from '../platform/mailer.js';
import { publicOnlyLookup } from '../platform/public-address.js';

// Where an alert goes: a webhook (JSON, signed with the account's key) and email. Sending never
// throws: the outcome is data, and the monitor tries a failed notification again later.

export interface AlertNotice extends Incident {
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

export function noticeBody(n: AlertNotice): Record<string, unknown> {
  return {
    incident_id: String(n.id),
    account_id: n.tenantId,
    pixel_id: n.pixelId,
    kind: n.kind,
    state: n.state,
    detail: n.detail,
    opened_at: n.openedAt.toISOString(),
    resolved_at: n.resolvedAt?.toISOString() ?? null,
  };
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
        subject: `[capig] ${what}: pixel ${n.pixelId}, ${n.kind.replace('_', ' ')}`,
        text:
          `${n.state === 'firing' ? 'Since' : 'Resolved after opening at'} ${n.openedAt.toISOString()}: ${n.detail}.\n\n` +
          `Account ${n.tenantId}, pixel ${n.pixelId}. Incident ${n.id}.\n`,
      });
      return r.ok ? { ok: true } : { ok: false, error: r.error };
    },

    close: () => agent.close(),
  };
}

export type AlertChannels = ReturnType<typeof createAlertChannels>;
