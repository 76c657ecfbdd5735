import type { FastifyInstance } from 'fastify';

// GET /metrics: Prometheus text format, for this gateway's processes together.
export function registerGetMetrics(
  app: FastifyInstance,
  deps: { metricsText(): Promise<{ contentType: string; text: string }> },
): void {
  app.get('/metrics', async (_req, reply) => {
    const { contentType, text } = await deps.metricsText();
    return reply.header('content-type', contentType).send(text);
  });
}
