import type { FastifyInstance } from 'fastify';
import { parseJsonBody } from '../../platform/http-app.js';
import type { EnrichmentCookie } from '../enrichment-cookie.js';
import type { Ingest } from '../ingest.js';
import { requestInfo } from '../request-info.js';
import { sendRejected, sendStoreFailure } from './reply.js';

// POST /events: what the Meta Pixel's gateway plugin and our tag send, cross-origin, usually as
// text/plain so the browser sends it without a preflight.
export function registerPostEvents(app: FastifyInstance, ingest: Ingest, enrichment: EnrichmentCookie): void {
  app.options('/events', async (req, reply) => {
    allowOrigin(req.headers.origin, reply);
    reply
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '86400');
    return reply.status(204).send();
  });

  app.post('/events', async (req, reply) => {
    allowOrigin(req.headers.origin, reply);
    if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      return sendRejected(reply, req, {
        kind: 'rejected',
        status: 415,
        code: 100,
        message: 'send the event as JSON with Content-Type text/plain or application/json (not form-encoded)',
      });
    }
    const body = parseJsonBody(req.body);
    if (!body.ok) return sendRejected(reply, req, { kind: 'rejected', status: 400, code: 100, message: body.message });
    try {
      const outcome = await ingest.browser(body.value, requestInfo(req, enrichment));
      if (outcome.kind === 'rejected') return sendRejected(reply, req, outcome);
      const { remember, ...answer } = outcome;
      if (remember) reply.header('set-cookie', enrichment.write(remember, req.protocol === 'https'));
      return reply.status(200).send(answer);
    } catch (err) {
      return sendStoreFailure(reply, req, err);
    }
  });
}

/** Cookies (_fbp, _fbc) ride along only on credentialed requests, which need an explicit origin. */
function allowOrigin(origin: string | undefined, reply: { header(k: string, v: string): unknown }) {
  if (!origin) return;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
  reply.header('vary', 'Origin');
}
