import type { GatewayConfig } from './config.js';
import { createApiTokens } from './control-plane/auth/api-tokens.js';
import { createAuthenticator } from './control-plane/auth/authenticator.js';
import { createSessions } from './control-plane/auth/sessions.js';
import { type CnameLookup, cachedCnameLookup, systemCnameLookup } from './control-plane/dns.js';
import { createGraphApi } from './control-plane/graph-api.js';
import { registerControlPlane } from './control-plane/http.js';
import type { Db } from './database/db.js';
import { createAccountsRepo } from './database/repos/accounts-repo.js';
import { createApiAccountsRepo } from './database/repos/api-accounts-repo.js';
import { createFileUploadsRepo } from './database/repos/file-uploads-repo.js';
import { findGatewayPixelSettings } from './database/repos/gateway-pixel-settings-repo.js';
import { createIngressDomainsRepo } from './database/repos/ingress-domains-repo.js';
import { createPixelSettingsRepo } from './database/repos/pixel-settings-repo.js';
import { type GatewayMetrics, noMetrics } from './domain/metrics.js';
import { createFirstPartyDomains } from './ingest/first-party-domains.js';
import { cachedGatewayPixelSettings } from './ingest/gateway-pixel-settings.js';
import { createUploadAuthorizer } from './ingest/file-upload/authorize-upload.js';
import { createFileUpload } from './ingest/file-upload/upload-file.js';
import { createIngest } from './ingest/ingest.js';
import { createPixelDirectory, type PixelDirectory } from './ingest/pixel-directory.js';
import { createIngestLimiter, type LimiterSpend } from './ingest/rate-limiter.js';
import { registerGetPixelSdk } from './ingest/routes/get-pixel-sdk.js';
import { registerGetUploads } from './ingest/routes/get-uploads.js';
import { registerPostCapiEvents } from './ingest/routes/post-capi-events.js';
import { createEnrichmentCookie } from './ingest/enrichment-cookie.js';
import { registerPostEvents } from './ingest/routes/post-events.js';
import { registerPostUploads } from './ingest/routes/post-uploads.js';
import { webhookSigningKey } from './ops/alert-channels.js';
import { createHttpApp } from './platform/http-app.js';
import { createHttpDestinationClient } from './publish/http-destination/http-destination-client.js';
import type { Logger } from './platform/logger.js';
import type { Mailer } from './platform/mailer.js';
import { createSecretBox } from './platform/secret-box.js';
import { createSigner } from './platform/signer.js';
import { createEventWriter } from './queue/event-writer.js';

// The serving side of the composition (main.ts builds the rest): one per process that serves
// HTTP, the only process or each worker of several.

/** What one serving process tells the others of the gateway (several workers), and hears from them. */
export interface PeerLink {
  /** Events were queued for these pixels: the publisher, in another process, starts their lanes. */
  queued(pixelIds: Set<string>): void;
  /** Settings or an API account changed here: the other processes drop what they cached. */
  changed(change: PeerChange): void;
  /** What this process's rate limits admitted lately, for the others (see rate-limiter.ts). */
  spent(spend: LimiterSpend): void;
  onChange(handler: (change: PeerChange) => void): void;
  onSpend(handler: (spend: LimiterSpend) => void): void;
}

export type PeerChange = { kind: 'pixel'; pixelId: string | null } | { kind: 'api-account'; id: string };

/** How often a worker tells the others what its rate limits admitted. */
const LIMIT_SYNC_MS = 50;

/** The serving side: HTTP, ingest and its pipeline, the control plane. Listens before it resolves. */
export async function startFrontend(
  config: GatewayConfig,
  db: Db,
  secret: string,
  log: Logger,
  opts: {
    wake(pixelIds: Set<string>): void;
    peers?: PeerLink;
    lookupCname?: CnameLookup;
    metrics?: GatewayMetrics;
    mailer: Mailer;
  },
) {
  const box = createSecretBox(secret);
  const accounts = createAccountsRepo(db, box);
  const settings = createPixelSettingsRepo(db, box);
  const cached = createPixelDirectory((id) => settings.settings(id), { ttlMs: 1000 });
  const peers = opts.peers;
  const directory: PixelDirectory = peers
    ? {
        get: cached.get,
        invalidate(pixelId) {
          cached.invalidate(pixelId);
          peers.changed({ kind: 'pixel', pixelId: pixelId ?? null });
        },
      }
    : cached;
  const metrics = opts.metrics ?? noMetrics;
  const writer = createEventWriter({
    db,
    log,
    onQueued: opts.wake,
    liveEvents: config.control.liveEvents,
    metrics,
  });
  const limiter = createIngestLimiter({
    perIp: config.limits.ingestPerIp
      ? { perSec: config.limits.ingestPerIp, burst: config.limits.ingestPerIp * 5 }
      : null,
    perAccount: config.limits.ingestPerAccount
      ? { perSec: config.limits.ingestPerAccount, burst: config.limits.ingestPerAccount * 5 }
      : null,
  });
  const ingest = createIngest({ directory, writer, log, limiter });

  const app = createHttpApp(config.http, log, metrics);
  registerPostEvents(app, ingest, createEnrichmentCookie(createSigner(secret, 'enrichment-cookie')));
  registerPostCapiEvents(app, ingest);
  registerGetPixelSdk(app, {
    publicUrl: config.http.publicUrl,
    isFirstPartyDomain: createFirstPartyDomains(createIngressDomainsRepo(db).isActive),
    gatewayPixelSettings: cachedGatewayPixelSettings((id) => findGatewayPixelSettings(db, id), { ttlMs: 30_000 }),
  });
  const apiAccounts = createApiAccountsRepo(db);
  const apiTokens = createApiTokens({ signer: createSigner(secret, 'api-token'), apiAccounts });
  const forgetEverywhere = {
    forget(id: string) {
      apiTokens.forget(id);
      peers?.changed({ kind: 'api-account', id });
    },
  };
  const authenticator = createAuthenticator({ apiTokens });
  const sessions = createSessions(db);
  authenticator.setSessions(sessions);
  // File uploads (C.9): callers of the control plane, rows through ingest.
  const fileUploads = createFileUploadsRepo(db);
  const authorizeUpload = createUploadAuthorizer({ authenticator, db });
  const upload = createFileUpload({ ingest, uploads: fileUploads, log });
  registerPostUploads(app, { authorize: authorizeUpload, upload, maxBytes: config.limits.uploadMaxBytes });
  registerGetUploads(app, { authorize: authorizeUpload, ...fileUploads, maxBytes: config.limits.uploadMaxBytes });
  // The control plane's "send test event" to custom HTTP destinations (delivery has its own client).
  const testSender = createHttpDestinationClient({ allow: config.destinations.allow, log });
  registerControlPlane(app, {
    control: {
      db,
      box,
      accounts,
      directory,
      graph: createGraphApi({ apiUrl: config.graph.apiUrl, timeoutMs: config.graph.timeoutMs }),
      config: { graph: config.graph, http: config.http, registerOpenBridge: config.control.registerOpenBridge },
      log,
      apiTokens: forgetEverywhere,
      lookupCname: cachedCnameLookup(opts.lookupCname ?? systemCnameLookup()),
      mailer: opts.mailer,
      webhookSigningKey: (tenantId) => webhookSigningKey(secret, tenantId),
      allowPrivateWebhooks: config.alerts.allowPrivateWebhooks,
      httpDestinations: testSender,
    },
    authenticator,
    apiAccounts,
    apiTokens,
    sessions,
    webDir: config.http.webDir,
  });
  app.get('/health', async (_req, reply) => {
    try {
      await db.query('SELECT 1');
      return { status: 'ok' };
    } catch {
      return reply.status(503).send({ status: 'database unavailable' });
    }
  });

  let syncTimer: NodeJS.Timeout | null = null;
  if (peers) {
    peers.onChange((change) => {
      if (change.kind === 'pixel') cached.invalidate(change.pixelId ?? undefined);
      else apiTokens.forget(change.id);
    });
    peers.onSpend((spend) => limiter.applySpend(spend));
    if (config.limits.ingestPerIp || config.limits.ingestPerAccount) {
      limiter.takeSpend();
      syncTimer = setInterval(() => {
        const spend = limiter.takeSpend();
        if (spend) peers.spent(spend);
      }, LIMIT_SYNC_MS).unref();
    }
  }

  await app.listen({ port: config.http.port, host: config.http.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  return {
    url: `http://${localHost(config.http.host)}:${port}`,
    app,
    accounts,
    apiAccounts,
    authenticator,
    directory,
    /** Stops accepting, answers what was accepted once committed; the database stays open. */
    async stop() {
      if (syncTimer) clearInterval(syncTimer);
      await app.close();
      await writer.drain();
      await testSender.close();
    },
  };
}

/** How this machine reaches the listen address: the loopback for a wildcard, IPv6 in brackets. */
function localHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
