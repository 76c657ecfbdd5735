import type { GatewayConfig } from './config.js';
import type { Db } from './database/db.js';
import { pendingMigrations } from './database/migrate.js';
import { createIngressDomainsRepo } from './database/repos/ingress-domains-repo.js';
import { aggregate, type MetricsJson, type PromMetrics } from './ops/metrics.js';
import { startOpsServer } from './ops/ops-server.js';
import type { Logger } from './platform/logger.js';
import type { Publisher } from './publish/publisher.js';
import type { EventQueue } from './queue/event-queue.js';

// The ops listener's composition, for the process that runs delivery (the only process, or the
// primary of several workers): metrics of every process of the gateway, probes, the TLS ask.

export async function startOpsListener(
  config: GatewayConfig,
  deps: {
    db: Db;
    log: Logger;
    prom: PromMetrics;
    queue: EventQueue;
    publisher: Publisher;
    /** The workers' metrics, when there are workers. */
    workerMetrics?: () => Promise<MetricsJson[]>;
  },
): Promise<{ url: string; close(): Promise<void> }> {
  const { db, prom } = deps;
  prom.watchQueue(() => deps.queue.stats());
  const ingress = createIngressDomainsRepo(db);
  const publicHost = config.http.publicUrl ? new URL(config.http.publicUrl).hostname.toLowerCase() : null;
  return startOpsServer(
    { host: config.ops.host, port: config.ops.port ?? 0 },
    {
      async metricsText() {
        if (!deps.workerMetrics) {
          return { contentType: prom.registry.contentType, text: await prom.registry.metrics() };
        }
        return aggregate([await prom.registry.getMetricsAsJSON(), ...(await deps.workerMetrics())]);
      },
      async readiness() {
        const checks: Record<string, string> = {};
        try {
          const pending = await pendingMigrations(db);
          checks.database = 'ok';
          checks.migrations = pending === 0 ? 'ok' : `${pending} pending`;
        } catch (err) {
          checks.database = `unreachable: ${(err as Error).message}`;
          checks.migrations = 'unknown';
        }
        const publisher = deps.publisher.state();
        checks.publisher = publisher;
        const ready = checks.database === 'ok' && checks.migrations === 'ok' && publisher !== 'stopped';
        return { ready, checks };
      },
      async isAllowedDomain(domain) {
        return domain === publicHost || (await ingress.isActive(domain));
      },
    },
    deps.log,
  );
}
