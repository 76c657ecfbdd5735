import type { FastifyInstance } from 'fastify';

// GET /auth/verify/?token=..&et=inv|reset&email=..: where invitation and reset links land (the
// path Meta's links use). The dashboard's own page at /hub/verify takes the same query.
export function registerGetAuthVerify(app: FastifyInstance): void {
  for (const path of ['/auth/verify', '/auth/verify/']) {
    app.get(path, async (req, reply) => {
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      return reply
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .redirect(`/hub/verify${query}`, 302);
    });
  }
}
