import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorBody } from '../../platform/http-app.js';

// GET /hub/*: the dashboard, a single-page app built by Vite into webDir. Hashed assets are cached
// for good; every other path under /hub/ gets index.html so the app's own routes survive a reload.
// /hub/graphql/ and /hub/health are routes of their own and win over this wildcard.

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style attributes (chart bars, widths); no inline <style> or script is used.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function registerGetHubApp(app: FastifyInstance, deps: { webDir: string }): void {
  const indexFile = join(deps.webDir, 'index.html');
  if (!existsSync(indexFile)) {
    const notBuilt = async (req: { id: string }, reply: FastifyReply) =>
      reply.status(503).send(errorBody(`the dashboard is not built (no ${indexFile}): run npm run build`, 503, req.id));
    app.get('/hub', notBuilt);
    app.get('/hub/*', notBuilt);
    return;
  }
  app.register(fastifyStatic, {
    root: deps.webDir,
    prefix: '/hub/',
    index: false,
    wildcard: false,
    serve: false,
    decorateReply: true,
    // Our own cache headers: assets forever (hashed names), index.html revalidated.
    cacheControl: false,
  });
  const sendIndex = (reply: FastifyReply) =>
    reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-frame-options', 'DENY')
      // Link pages carry one-time tokens in the URL: never send it on as a referrer.
      .header('referrer-policy', 'no-referrer')
      .sendFile('index.html', deps.webDir);
  app.get('/hub', (_req, reply) => reply.redirect('/hub/', 301));
  app.get('/hub/assets/*', (req, reply) => {
    const file = (req.params as { '*': string })['*'];
    return reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .sendFile(file, join(deps.webDir, 'assets'));
  });
  app.get('/hub/*', (_req, reply) => sendIndex(reply));
}
