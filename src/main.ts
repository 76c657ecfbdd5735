import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from './config.js';
import type { Authenticator } from './control-plane/auth/authenticator.js';
import type { CnameLookup } from './control-plane/dns.js';
import type { Db } from './database/db.js';
import { type GatewayMetrics, noMetrics } from './domain/metrics.js';
import { startEmbeddedPostgres } from './database/embedded-postgres.js';
import { importPgliteIfPresent } from './database/import-pglite.js';
import { migrate } from './database/migrate.js';
import { openPostgresDb } from './database/postgres-db.js';
import type { AccountsRepo } from './database/repos/accounts-repo.js';
import type { ApiAccountsRepo } from './database/repos/api-accounts-repo.js';
import { createPixelSettingsRepo } from './database/repos/pixel-settings-repo.js';
import { createPixelStatusRepo } from './database/repos/pixel-status-repo.js';
import { createRecentEventsRepo } from './database/repos/recent-events-repo.js';
import type { PixelDirectory } from './ingest/pixel-directory.js';
import { createLogger, type Logger } from './platform/logger.js';
import { configuredMailer, type Mailer } from './platform/mailer.js';
import { makePrivate } from './platform/private-dir.js';
import { createSecretBox } from './platform/secret-box.js';
import { loadOrCreateSecret } from './platform/secret-file.js';
import { createCapiClient } from './publish/capi-client.js';
import { createHttpDestinationClient } from './publish/http-destination/http-destination-client.js';
import { createPublisher, type Publisher } from './publish/publisher.js';
import { createEventQueue, type EventQueue } from './queue/event-queue.js';
import { startMaintenance } from './queue/maintenance.js';
import { startFrontend } from './main-frontend.js';
import { startOpsListener } from './main-ops.js';
import { createAlertChannels } from './ops/alert-channels.js';
import { startAlertMonitor } from './ops/alert-monitor.js';
import { createAlertsRepo } from './database/repos/alerts-repo.js';
import { createPromMetrics } from './ops/metrics.js';

// The composition root: the only place that builds things and wires them together.

export interface Gateway {
  url: string;
  /** The ops listener (CAPIG_OPS_PORT), or null when it is off. */
  opsUrl: string | null;
  db: Db;
  apiAccounts: ApiAccountsRepo;
  authenticator: Authenticator;
  app: FastifyInstance;
  accounts: AccountsRepo;
  directory: PixelDirectory;
  queue: EventQueue;
  publisher: Publisher;
  log: Logger;
  /** Graceful: stop accepting, commit what was accepted, finish or release batches, close the db. */
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Tests: a fake DNS for data-routing checks. */
  lookupCname?: CnameLookup;
}

/** A database handle and the URL other processes of this gateway reach it at. */
export type OpenedDb = Db & { readonly url: string };

export async function openDatabase(config: GatewayConfig, log: Logger, poolSize?: number): Promise<OpenedDb> {
  if (config.database.url) {
    const db = openPostgresDb(config.database.url, { onError: connectionLost(log), max: poolSize });
    return { ...db, url: config.database.url };
  }
  return openEmbeddedPostgres(config.database.dataDir, log, poolSize);
}

export const connectionLost = (log: Logger) => (err: Error) =>
  log.warn({ err: { message: err.message } }, 'idle database connection lost');

/** The PostgreSQL server in the data directory (started, joined or adopted); close() stops it if ours. */
async function openEmbeddedPostgres(dataDir: string, log: Logger, poolSize?: number): Promise<OpenedDb> {
  // The server's own files are not walked: it keeps them private, and it may be running (the CLI).
  await makePrivate(dataDir, ['postgres']);
  const server = await startEmbeddedPostgres(dataDir, (msg) => log.info(msg));
  const db = openPostgresDb(server.url, { onError: connectionLost(log), max: poolSize });
  try {
    await migrate(db);
    const imported = await importPgliteIfPresent(dataDir, db);
    if (imported) {
      log.info(imported, 'imported the embedded PGlite database into the embedded PostgreSQL server');
    }
  } catch (err) {
    await db.close();
    await server.stop();
    throw err;
  }
  return {
    ...db,
    url: server.url,
    async close() {
      await db.close();
      await server.stop();
    },
  };
}

/** The database, migrated, and the secret key (generated into the data directory when not configured). */
export async function openStorage(
  config: GatewayConfig,
  log: Logger,
  poolSize?: number,
): Promise<{ db: OpenedDb; secret: string }> {
  const db = await openDatabase(config, log, poolSize);
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
    const secret = config.secrets.secretKey ?? (await loadOrCreateSecret(config.database.dataDir));
    return { db, secret };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** The publishing side: the queue's consumer and housekeeping. One per gateway (its primary). */
export function startDelivery(
  config: GatewayConfig,
  db: Db,
  secret: string,
  log: Logger,
  opts: { mailer: Mailer; metrics?: GatewayMetrics },
) {
  const metrics = opts.metrics ?? noMetrics;
  const settings = createPixelSettingsRepo(db, createSecretBox(secret));
  const queue = createEventQueue(db);
  const client = createCapiClient({ apiUrl: config.graph.apiUrl, timeoutMs: config.graph.timeoutMs });
  const http = createHttpDestinationClient({ allow: config.destinations.allow, log });
  const publisher = createPublisher({
    config: {
      ...config.publish,
      defaultApiVersion: config.graph.apiVersion,
      // Longer than any request may take, so a live claimer never loses its batch to another.
      leaseMs: Math.max(5_000, config.graph.timeoutMs * 3),
    },
    queue,
    publishTarget: (id) => settings.publishTarget(id),
    status: createPixelStatusRepo(db),
    client,
    http,
    log,
    retry: { baseMs: config.publish.retryBaseMs, maxMs: config.publish.retryMaxMs },
    live: config.control.liveEvents ? createRecentEventsRepo(db) : undefined,
    metrics,
  });
  publisher.start();
  const stopMaintenance = startMaintenance(db, log);
  const alerts = startAlertMonitor({
    alerts: createAlertsRepo(db),
    channels: createAlertChannels({
      secret,
      mailer: opts.mailer,
      allowPrivateWebhooks: config.alerts.allowPrivateWebhooks,
    }),
    log,
    intervalMs: config.alerts.intervalMs,
  });
  return {
    queue,
    publisher,
    /** Finishes or releases in-flight batches; the database stays open. */
    async stop() {
      await publisher.stop();
      stopMaintenance();
      await alerts.stop();
      await client.close();
      await http.close();
    },
  };
}

/** Start-up notes an operator should see once per gateway (not once per worker). */
export function logStartNotes(config: GatewayConfig, log: Logger): void {
  if (!config.limits.ingestPerIp) {
    log.info(
      'no per-IP ingest limit: set CAPIG_TRUST_PROXY behind a proxy, or CAPIG_RATE_LIMIT_IP when exposed directly',
    );
  }
  if (config.email.smtpUrl && !config.http.publicUrl) {
    log.warn('CAPIG_SMTP_URL is set but CAPIG_PUBLIC_URL is not: no email is sent until CAPIG_PUBLIC_URL is set');
  }
}

/** The whole gateway in this process (CAPIG_WORKERS=1, and the tests): serving and delivery. */
export async function startGateway(config: GatewayConfig, opts: StartOptions = {}): Promise<Gateway> {
  const log = opts.log ?? createLogger(config.log.level);
  const { db, secret } = await openStorage(config, log);
  logStartNotes(config, log);
  const prom = config.ops.port === null ? null : createPromMetrics();
  let delivery: ReturnType<typeof startDelivery> | null = null;
  let frontend: Awaited<ReturnType<typeof startFrontend>> | null = null;
  let ops: { url: string; close(): Promise<void> } | null = null;
  try {
    const mailer = configuredMailer(config.email, config.http.publicUrl, log);
    delivery = startDelivery(config, db, secret, log, { mailer, metrics: prom?.metrics });
    const publisher = delivery.publisher;
    frontend = await startFrontend(config, db, secret, log, {
      mailer,
      wake: (ids) => publisher.wake(ids),
      ...(opts.lookupCname ? { lookupCname: opts.lookupCname } : {}),
      ...(prom ? { metrics: prom.metrics } : {}),
    });
    if (prom) ops = await startOpsListener(config, { db, log, prom, queue: delivery.queue, publisher });
  } catch (err) {
    await frontend?.stop();
    await delivery?.stop();
    await db.close();
    throw err;
  }
  log.info(
    {
      url: frontend.url,
      ...(ops ? { ops: ops.url } : {}),
      database: config.database.url ? 'DATABASE_URL' : 'embedded',
    },
    'gateway started',
  );

  let stopping: Promise<void> | null = null;
  const stages = { frontend, delivery, ops };
  return {
    url: frontend.url,
    opsUrl: ops?.url ?? null,
    db,
    apiAccounts: frontend.apiAccounts,
    authenticator: frontend.authenticator,
    app: frontend.app,
    accounts: frontend.accounts,
    directory: frontend.directory,
    queue: delivery.queue,
    publisher: delivery.publisher,
    log,
    stop() {
      stopping ??= (async () => {
        await stages.frontend.stop();
        await stages.ops?.close();
        await stages.delivery.stop();
        await db.close();
        log.info('gateway stopped');
      })();
      return stopping;
    },
  };
}
