import type { FastifyReply, FastifyRequest } from 'fastify';
import { isUnavailableError } from '../../database/db.js';
import { errorBody } from '../../platform/http-app.js';
import type { IngestOutcome } from '../ingest.js';

/** A rejected outcome as a Graph-style error; the invalid events are listed for the sender. */
export function sendRejected(
  reply: FastifyReply,
  req: FastifyRequest,
  o: Extract<IngestOutcome, { kind: 'rejected' }>,
) {
  const extra = o.invalidEvents ? { error_data: { invalid_events: o.invalidEvents } } : {};
  if (o.retryAfterSec) reply.header('retry-after', String(o.retryAfterSec));
  return reply.status(o.status).send(errorBody(o.message, o.code, req.id, extra));
}

/** The events could not be stored: never a 2xx. The sender keeps them and retries. */
export function sendStoreFailure(reply: FastifyReply, req: FastifyRequest, err: unknown) {
  if (!isUnavailableError(err)) req.log.error({ err }, 'storing events failed');
  return reply
    .status(503)
    .header('retry-after', '5')
    .send(errorBody('the gateway cannot store events right now; nothing was accepted, retry shortly', 2, req.id));
}
