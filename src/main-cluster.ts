import cluster from 'node:cluster';
import type { GatewayConfig } from './config.js';
import type { LimiterSpend } from './ingest/rate-limiter.js';
import { connectionLost, logStartNotes, openStorage, startDelivery } from './main.js';
import { type PeerChange, type PeerLink, startFrontend } from './main-frontend.js';
import { configuredMailer } from './platform/mailer.js';
import { openPostgresDb } from './database/postgres-db.js';
import { startOpsListener } from './main-ops.js';
import { createPromMetrics, type MetricsJson } from './ops/metrics.js';
import type { Logger } from './platform/logger.js';
import { loadOrCreateSecret } from './platform/secret-file.js';
import { connectToPrimary, startWorkerProcesses } from './platform/worker-processes.js';

// The composition of a gateway on several cores (CAPIG_WORKERS > 1), beside main.ts's single
// process:
// - the primary opens the database (and runs the embedded server), migrates, and runs delivery:
//   the publisher and housekeeping, apart from ingest;
// - each worker serves HTTP (ingest with its pipeline and group commit, the control plane) on the
//   shared port, with its own connection pool;
// - what a worker must tell the others goes through the primary: new events (to wake the
//   publisher), cache invalidations (pixel settings, deleted API accounts) and what the rate
//   limits admitted. Sessions and login throttles live in the database, so they need nothing.

/** The worker's URL to the database, from the primary (the embedded server's socket, or DATABASE_URL). */
const DATABASE_URL_VAR = 'CAPIG_WORKER_DATABASE_URL';

export function isWorkerProcess(): boolean {
  return cluster.isWorker;
}

/** The primary: storage, delivery, and the worker processes. */
export async function startClusterPrimary(config: GatewayConfig, log: Logger): Promise<{ stop(): Promise<void> }> {
  // Workers read the secret where the primary found it: the environment, or the key file it made.
  // The primary's sessions serve the publisher and housekeeping only.
  const { db, secret } = await openStorage(config, log, 4);
  const prom = config.ops.port === null ? null : createPromMetrics();
  let delivery: ReturnType<typeof startDelivery> | null = null;
  let workers: Awaited<ReturnType<typeof startWorkerProcesses>> | null = null;
  try {
    const mailer = configuredMailer(config.email, config.http.publicUrl, log);
    delivery = startDelivery(config, db, secret, log, { mailer, metrics: prom?.metrics });
    const publisher = delivery.publisher;
    logStartNotes(config, log);
    workers = await startWorkerProcesses({
      count: config.process.workers,
      env: { [DATABASE_URL_VAR]: db.url },
      log,
      onMessage(msg, from) {
        if (msg.capig === 'queued') publisher.wake(msg.pixelIds as string[]);
        else if (msg.capig === 'changed' || msg.capig === 'spent') workers?.broadcast(msg, from);
      },
    });
    const pool = workers;
    const ops = prom
      ? await startOpsListener(config, {
          db,
          log,
          prom,
          queue: delivery.queue,
          publisher,
          workerMetrics: async () => (await pool.ask({ capig: 'metrics?' })) as MetricsJson[],
        })
      : null;
    log.info(
      {
        url: workers.url,
        ...(ops ? { ops: ops.url } : {}),
        database: config.database.url ? 'DATABASE_URL' : 'embedded',
        workers: config.process.workers,
      },
      'gateway started',
    );
    const running = delivery;
    let stopping: Promise<void> | null = null;
    return {
      stop() {
        stopping ??= (async () => {
          await pool.stop();
          await ops?.close();
          await running.stop();
          await db.close();
          log.info('gateway stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await workers?.stop();
    await delivery?.stop();
    await db.close();
    throw err;
  }
}

/** A worker: HTTP and ingest on the primary's database, telling the others through the primary. */
export async function startClusterWorker(
  config: GatewayConfig,
  log: Logger,
): Promise<{ stop(): Promise<void>; stopRequested: Promise<void> }> {
  const url = process.env[DATABASE_URL_VAR];
  if (!url) throw new Error(`a worker process needs ${DATABASE_URL_VAR} from its primary`);
  const db = openPostgresDb(url, {
    max: 6,
    onError: connectionLost(log),
  });
  const primary = connectToPrimary();
  const changeHandlers: Array<(c: PeerChange) => void> = [];
  const spendHandlers: Array<(s: LimiterSpend) => void> = [];
  const peers: PeerLink = {
    queued: (pixelIds) => primary.send({ capig: 'queued', pixelIds: [...pixelIds] }),
    changed: (change) => primary.send({ capig: 'changed', change }),
    spent: (spend) => primary.send({ capig: 'spent', spend }),
    onChange: (h) => changeHandlers.push(h),
    onSpend: (h) => spendHandlers.push(h),
  };
  const prom = config.ops.port === null ? null : createPromMetrics();
  const stopRequested = new Promise<void>((resolve) => {
    primary.onMessage((msg) => {
      if (msg.capig === 'metrics?' && prom) {
        void prom.registry.getMetricsAsJSON().then((json) => primary.answer(msg, json));
        return;
      }
      if (msg.capig === 'changed') for (const h of changeHandlers) h(msg.change as PeerChange);
      else if (msg.capig === 'spent') for (const h of spendHandlers) h(msg.spend as LimiterSpend);
      else if (msg.capig === 'stop') resolve();
    });
    primary.onDisconnect(() => {
      log.warn('the primary process is gone; this worker stops');
      resolve();
    });
  });
  try {
    const secret = config.secrets.secretKey ?? (await loadOrCreateSecret(config.database.dataDir));
    const frontend = await startFrontend(config, db, secret, log, {
      mailer: configuredMailer(config.email, config.http.publicUrl, log),
      wake: peers.queued,
      peers,
      ...(prom ? { metrics: prom.metrics } : {}),
    });
    primary.send({ capig: 'listening', url: frontend.url });
    let stopping: Promise<void> | null = null;
    const stop = () => {
      stopping ??= (async () => {
        await frontend.stop();
        await db.close();
      })();
      return stopping;
    };
    return { stop, stopRequested };
  } catch (err) {
    await db.close();
    throw err;
  }
}
