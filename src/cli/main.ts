#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { migrate } from '../database/migrate.js';
import { startFakeGraph } from '../fake-graph/fake-graph-server.js';
import { openDatabase, startGateway } from '../main.js';
import { isWorkerProcess, startClusterPrimary, startClusterWorker } from '../main-cluster.js';
import { createLogger } from '../platform/logger.js';
import { adminCreate } from './admin-create.js';
import { apiAccountCreate } from './api-account-create.js';
import { addPixel } from './pixel-add.js';

const USAGE = `Usage: capig <command> [options]

Commands:
  start                       run the gateway (configuration from the environment, see README)
  migrate                     apply database migrations and exit
  fake-graph [--port N] [--host H] [--record-limit N]
                              run a local fake of Meta's Graph API (Conversions API sandbox);
                              it keeps the newest N accepted events for inspection (200000)
  pixel add --account ID --pixel-id N --access-token T [--account-name S] [--name S] [--api-version vNN.0]
                              connect a pixel (creating the account if needed); prints its server-events key
  admin create --email E --password P
                              create a host admin (agency-admin), e.g. the first one of a fresh install
  api-account create --name N create an API account; prints {"client_id", "client_secret"} (shown once)

The commands work while the gateway runs, on the embedded database as on DATABASE_URL.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'migrate':
      return runMigrate();
    case 'fake-graph':
      return fakeGraph(rest);
    case 'pixel':
      if (rest[0] === 'add') return addPixel(config(), rest.slice(1));
      process.stderr.write(`capig pixel: unknown subcommand "${rest[0] ?? ''}"; try: capig pixel add --help\n`);
      return 1;
    case 'admin':
      if (rest[0] === 'create') return adminCreate(config(), rest.slice(1));
      process.stderr.write(`capig admin: unknown subcommand "${rest[0] ?? ''}"; try: capig admin create --help\n`);
      return 1;
    case 'api-account':
      if (rest[0] === 'create') return apiAccountCreate(config(), rest.slice(1));
      process.stderr.write(
        `capig api-account: unknown subcommand "${rest[0] ?? ''}"; try: capig api-account create --help\n`,
      );
      return 1;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`capig: unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

function config() {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function start(): Promise<number> {
  const cfg = config();
  const log = createLogger(cfg.log.level);
  // Expected failures are handled where they happen; anything reaching here is a bug to log, not a
  // reason to drop every in-flight request by crashing.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  const signalled = new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  if (isWorkerProcess()) {
    // One of several serving processes: it stops when its primary says so, or is gone.
    const worker = await startClusterWorker(cfg, log.child({ worker: process.pid }));
    await Promise.race([signalled, worker.stopRequested]);
    await worker.stop();
    return 0;
  }
  const gateway = cfg.process.workers > 1 ? await startClusterPrimary(cfg, log) : await startGateway(cfg, { log });
  await signalled;
  await gateway.stop();
  return 0;
}

async function runMigrate(): Promise<number> {
  const cfg = config();
  const log = createLogger(cfg.log.level);
  const db = await openDatabase(cfg, log);
  try {
    const applied = await migrate(db);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await db.close();
  }
  return 0;
}

async function fakeGraph(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '4100' },
      host: { type: 'string', default: '127.0.0.1' },
      'record-limit': { type: 'string', default: '200000' },
    },
  });
  const port = Number(values.port);
  const recordLimit = Number(values['record-limit']);
  const problems = [
    ...(!Number.isInteger(port) || port < 0 || port > 65535 ? ['--port must be a number from 0 to 65535'] : []),
    ...(!Number.isInteger(recordLimit) || recordLimit < 0 ? ['--record-limit must be a whole number, 0 or more'] : []),
  ];
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`capig fake-graph: ${p}\n`);
    return 2;
  }
  const fake = await startFakeGraph({ port, host: values.host, recordLimit });
  process.stdout.write(
    `fake Graph API listening on ${fake.url}\n` +
      `  set CAPIG_GRAPH_API_URL=${fake.url} on the gateway; inspect ${fake.url}/_fake/events\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await fake.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    // A mistyped flag is the operator's to fix: its message, not a stack trace, and exit code 2.
    if (String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`capig: ${(err as Error).message}\n`);
      process.exit(2);
    }
    process.stderr.write(`capig: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
