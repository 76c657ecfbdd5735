import type { AlertsRepo } from '../database/repos/alerts-repo.js';
import type { Logger } from '../platform/logger.js';
import type { AlertChannels } from './alert-channels.js';

// Every interval: find the conditions that hold in each lane (alerts-repo: pixel connections and
// gateway destinations), open an incident for each new one and resolve those that no longer hold,
// then send what is owed. Incidents live in the database, so with several instances each alert
// still fires once and recovers once.

export function startAlertMonitor(deps: {
  alerts: AlertsRepo;
  channels: AlertChannels;
  log: Logger;
  intervalMs: number;
}): { tick(): Promise<void>; stop(): Promise<void> } {
  const { alerts, channels, log } = deps;
  let running: Promise<void> | null = null;

  async function evaluate(): Promise<void> {
    const holding = await alerts.conditions();
    const key = (c: { tenantId: string; pixelId: string; kind: string }) =>
      `${c.tenantId}\u0000${c.pixelId}\u0000${c.kind}`;
    const now = new Set(holding.map(key));
    const open = await alerts.openIncidents();
    const alreadyOpen = new Set(open.map(key));
    // Only new conditions are written; open() still dedupes against another instance's round.
    for (const c of holding) if (!alreadyOpen.has(key(c))) await alerts.open(c);
    for (const incident of open) if (!now.has(key(incident))) await alerts.resolve(incident.id);
    for (const n of await alerts.claimNotifications()) {
      const settings = await alerts.settings(n.tenantId);
      if (!settings) continue;
      const failures: string[] = [];
      // A channel that already has this state is not sent it again when another one failed.
      const owed = (channel: 'webhook' | 'email') => !n.delivered.includes(`${n.state}:${channel}`);
      if (settings.webhookUrl && owed('webhook')) {
        const r = await channels.webhook(settings.webhookUrl, n);
        if (r.ok) await alerts.markDelivered(n.id, n.state, 'webhook');
        else failures.push(`webhook: ${r.error}`);
      }
      if (owed('email')) {
        const mail = await channels.email(settings.emails, n);
        if (mail.ok) await alerts.markDelivered(n.id, n.state, 'email');
        else failures.push(`email: ${mail.error}`);
      }
      if (failures.length > 0) {
        await alerts.releaseNotification(n.id, n.state);
        log.warn({ incident: n.id, tenantId: n.tenantId, failures }, 'alert not delivered; trying again next round');
      } else {
        log.info(
          {
            incident: n.id,
            tenantId: n.tenantId,
            pixelId: n.pixelId,
            destinationType: n.destination?.type,
            kind: n.kind,
            state: n.state,
          },
          'alert sent',
        );
      }
    }
  }

  const tick = () => {
    running ??= evaluate()
      .catch((err: Error) => log.warn({ err: { message: err.message } }, 'alert evaluation failed; it runs again'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), deps.intervalMs);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
      await channels.close();
    },
  };
}
