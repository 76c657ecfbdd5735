import type { FastifyInstance } from 'fastify';

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

// GET /health/live (the process answers) and GET /health/ready (it can do its work: database
// reachable, migrations applied, publisher running), for load balancers and Kubernetes probes.
export function registerGetHealth(app: FastifyInstance, deps: { readiness(): Promise<Readiness> }): void {
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    const r = await deps.readiness();
    return reply.status(r.ready ? 200 : 503).send({ status: r.ready ? 'ok' : 'not ready', checks: r.checks });
  });
}
