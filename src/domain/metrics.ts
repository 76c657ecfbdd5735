// What the gateway counts for operators (the ops listener's /metrics). The core reports through
// this port; the prom-client registry behind it lives in src/ops/. Each process counts what it
// did itself, so the numbers of several processes and instances add up.

export interface GatewayMetrics {
  /**
   * Events of one pixel that reached an outcome: received, published, dead_lettered, deduplicated
   * or dropped.<reason> (the outcomes of src/domain/counts.ts).
   */
  events(outcome: string, pixelId: string, accountId: string, n: number): void;
  /** One request to Meta: how long it took and what came back (ok, http_4xx, http_5xx, network). */
  publishRequest(seconds: number, outcome: string): void;
  /** One HTTP request answered: the route's pattern (not the URL) and the status. */
  httpRequest(route: string, status: number): void;
}

export const noMetrics: GatewayMetrics = {
  events() {},
  publishRequest() {},
  httpRequest() {},
};
