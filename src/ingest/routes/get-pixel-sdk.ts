import type { FastifyInstance } from 'fastify';
import { renderPixelSdk } from '../pixel-sdk.js';

// GET /sdk/{pixelId}/events.js: our first-party tag, cacheable like Meta's CDN-served scripts.
export function registerGetPixelSdk(app: FastifyInstance, opts: { publicUrl: string | null }): void {
  app.get<{ Params: { pixelId: string } }>('/sdk/:pixelId/events.js', async (req, reply) => {
    const { pixelId } = req.params;
    if (!/^\d{1,20}$/.test(pixelId)) {
      return reply.status(400).type('text/plain').send('// the pixel id must be numeric\n');
    }
    const endpoint = opts.publicUrl ?? `${req.protocol}://${req.host}`;
    return (
      reply
        .type('application/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=1800')
        // Without CAPIG_PUBLIC_URL the endpoint comes from the Host header: caches must key on it.
        .header('vary', 'Host')
        .header('access-control-allow-origin', '*')
        .send(renderPixelSdk({ pixelId, endpoint }))
    );
  });
}
