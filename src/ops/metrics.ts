import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { GatewayMetrics } from '../domain/metrics.js';

// The Prometheus side of the metrics port. Counters are per process (what this process did);
// the primary of several workers adds its own and theirs together (aggregate()), and Prometheus
// adds instances together with sum(). The queue gauges read the database, the same from every
// instance: take max() over instances, not sum().

export interface PromMetrics {
  metrics: GatewayMetrics;
  registry: Registry;
  /** The queue's depth and oldest age per pixel, read from the database at each scrape. */
  watchQueue(read: () => Promise<QueueStat[]>): void;
}

export interface QueueStat {
  pixelId: string;
  accountId: string;
  depth: number;
  oldestAgeSeconds: number;
}

export function createPromMetrics(): PromMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges that prom-client names with a _total suffix, which promtool's lint refuses.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  const labels = ['pixel_id', 'account_id'] as const;
  const counter = (name: string, help: string, labelNames: readonly string[] = labels) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const received = counter(
    'capig_events_received_total',
    'Events received for a connected pixel (before filters and deduplication).',
  );
  const published = counter('capig_events_published_total', 'Events Meta accepted.');
  const dropped = counter(
    'capig_events_dropped_total',
    'Events not sent to Meta, by reason (filters, switches, duplicates, invalid input).',
    [...labels, 'reason'],
  );
  const deadLettered = counter(
    'capig_events_dead_lettered_total',
    'Events Meta rejected or that expired, moved to the dead letters.',
  );
  const publishDuration = new Histogram({
    name: 'capig_publish_request_duration_seconds',
    help: 'Requests to the Conversions API, by outcome (ok, http_4xx, http_5xx, network).',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const http = counter('capig_http_requests_total', 'HTTP requests answered, by route pattern and status.', [
    'route',
    'status',
  ]);

  const metrics: GatewayMetrics = {
    events(outcome, pixelId, accountId, n) {
      const l = { pixel_id: pixelId, account_id: accountId };
      if (outcome === 'received') received.inc(l, n);
      else if (outcome === 'published') published.inc(l, n);
      else if (outcome === 'dead_lettered') deadLettered.inc(l, n);
      else if (outcome === 'deduplicated') dropped.inc({ ...l, reason: 'duplicate' }, n);
      else if (outcome.startsWith('dropped.')) dropped.inc({ ...l, reason: outcome.slice(8) }, n);
    },
    publishRequest(seconds, outcome) {
      publishDuration.observe({ outcome }, seconds);
    },
    httpRequest(route, status) {
      http.inc({ route, status: String(status) });
    },
  };

  return {
    metrics,
    registry,
    watchQueue(read) {
      // One read per scrape for both gauges: the registry collects them concurrently.
      let inFlight: Promise<QueueStat[]> | null = null;
      const stats = () => {
        inFlight ??= read().finally(() => {
          inFlight = null;
        });
        return inFlight;
      };
      const gauge = (name: string, help: string, value: (s: QueueStat) => number) =>
        new Gauge({
          name,
          help,
          labelNames: labels,
          registers: [registry],
          aggregator: 'max',
          async collect() {
            const all = await stats();
            this.reset();
            for (const s of all) this.set({ pixel_id: s.pixelId, account_id: s.accountId }, value(s));
          },
        });
      gauge(
        'capig_queue_depth',
        'Events waiting in the queue, per pixel (the same from every instance: use max()).',
        (s) => s.depth,
      );
      gauge(
        'capig_queue_oldest_age_seconds',
        'Age of the oldest queued event, per pixel (the same from every instance: use max()).',
        (s) => s.oldestAgeSeconds,
      );
    },
  };
}

/** The metrics of several processes as one text exposition (counters summed, per prom-client's rules). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export async function aggregate(parts: MetricsJson[]): Promise<{ contentType: string; text: string }> {
  const merged = AggregatorRegistry.aggregate(parts);
  return { contentType: merged.contentType, text: await merged.metrics() };
}
