import type { FastifyRequest } from 'fastify';
import type { RequestInfo } from '../domain/event.js';
import { parseCookieHeader } from '../pipeline/fb-cookies.js';
import { clientIp } from '../platform/http-app.js';
import { ENRICHMENT_COOKIE, type EnrichmentCookie } from './enrichment-cookie.js';

/** What a request tells about its sender; the client IP honours CAPIG_TRUST_PROXY (via Fastify). */
export function requestInfo(req: FastifyRequest, enrichment?: EnrichmentCookie): RequestInfo {
  const cookies = parseCookieHeader(req.headers.cookie);
  const ua = req.headers['user-agent'];
  return {
    ip: clientIp(req),
    userAgent: typeof ua === 'string' && ua !== '' ? ua.slice(0, 1024) : null,
    fbp: cookies._fbp ?? null,
    fbc: cookies._fbc ?? null,
    receivedAt: Date.now(),
    rememberedMatching: enrichment ? enrichment.read(cookies[ENRICHMENT_COOKIE]) : null,
  };
}
