import type { FastifyInstance } from 'fastify';
import { parseJsonBody } from '../../platform/http-app.js';
import type { Ingest } from '../ingest.js';
import { requestInfo } from '../request-info.js';
import { sendRejected, sendStoreFailure } from './reply.js';

// POST /capi/{pixelId}/events: the Conversions API body from an advertiser's server, authenticated
// with the pixel's access key; answered like Meta answers.
export function registerPostCapiEvents(app: FastifyInstance, ingest: Ingest): void {
  app.post<{ Params: { pixelId: string } }>('/capi/:pixelId/events', async (req, reply) => {
    const { pixelId } = req.params;
    if (!/^\d{1,20}$/.test(pixelId)) {
      return sendRejected(reply, req, {
        kind: 'rejected',
        status: 400,
        code: 100,
        message: 'the pixel id must be numeric',
      });
    }
    const body = parseJsonBody(req.body);
    if (!body.ok) return sendRejected(reply, req, { kind: 'rejected', status: 400, code: 100, message: body.message });
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
    const inBody = (body.value as { accessKey?: unknown } | null)?.accessKey;
    const accessKey = bearer ?? (typeof inBody === 'string' ? inBody : null);
    try {
      const outcome = await ingest.server({ pixelId, accessKey, body: body.value }, requestInfo(req));
      if (outcome.kind === 'rejected') return sendRejected(reply, req, outcome);
      const messages = Object.entries(outcome.dropped).map(([reason, n]) => `${n} event(s) not published: ${reason}`);
      return reply.status(200).send({ events_received: outcome.received, messages, fbtrace_id: req.id });
    } catch (err) {
      return sendStoreFailure(reply, req, err);
    }
  });
}
