import Fastify from 'fastify';
import type { Logger } from '../platform/logger.js';
import { registerGetHealth, type Readiness } from './routes/get-health.js';
import { registerGetMetrics } from './routes/get-metrics.js';
import { registerGetTlsAllowed } from './routes/get-tls-allowed.js';

// The ops listener (CAPIG_OPS_PORT): metrics, probes and the TLS `ask` endpoint on their own port,
// bound to the loopback by default and never mounted beside the public routes.

export interface OpsDeps {
  metricsText(): Promise<{ contentType: string; text: string }>;
  readiness(): Promise<Readiness>;
  isAllowedDomain(domain: string): Promise<boolean>;
}

export async function startOpsServer(
  listen: { host: string; port: number },
  deps: OpsDeps,
  log: Logger,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.setErrorHandler((err, _req, reply) => {
    const message = (err as Error).message;
    log.warn({ err: { message } }, 'ops request failed');
    return reply.status(503).send({ status: 'unavailable', error: message });
  });
  registerGetMetrics(app, deps);
  registerGetHealth(app, deps);
  registerGetTlsAllowed(app, deps);
  await app.listen(listen);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, close: () => app.close() };
}
