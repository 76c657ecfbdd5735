#!/usr/bin/env node
// The benchmark: npm run bench [-- --quick] [--profile] [--diagnose] [--only PHASE,...]
//   --quick     3 s points and a 100,000-event backlog (about 3 minutes) instead of 10 s and 1,000,000
//   --profile   the gateway runs under node --cpu-prof; the report summarizes the profiles
//   --workers N CAPIG_WORKERS for the phases that do not set their own (default: the gateway's)
//   --diagnose  also runs POST /events with CAPIG_PUBLISH=off (phases embedded-publish-off, postgres-publish-off)
//   --only      a comma list of phases: bare, peer, embedded, postgres, postgres-1w, postgres-2w,
//               drain-embedded, drain-postgres and the two diagnostics above
//
// In one run, on this machine, side by side:
//   bare         a bare node:http server answering 204 (the ceiling)
//   peer         Express + facebook-nodejs-business-sdk, one EventRequest.execute() per request (the peer)
//   embedded     the gateway on the embedded default (no DATABASE_URL: it starts and supervises its own
//                PostgreSQL server in a fresh temp CAPIG_DATA_DIR): POST /events, POST /capi (batches
//                of 1 and 100) at saturation (wrk), and POST /events paced at half of its saturation rate
//   postgres     the same on a fresh database of the machine's PostgreSQL (DATABASE_URL), CAPIG_WORKERS unset
//   postgres-1w, postgres-2w
//                POST /events at saturation on DATABASE_URL with CAPIG_WORKERS=1 and =2: events/s, CPU
//                per 1,000 events (gateway, PostgreSQL) and a per-core prediction for 8 cores
//   drain-*      a backlog filled with the publisher off, then drained to the fake Graph API
// Memory and CPU cover the whole gateway: every process of its tree (cluster primary and workers)
// and, on the embedded default, every process of its PostgreSQL server.
// Writes bench/results/<timestamp>.md and .json (see docs/benchmarks.md).

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ORIGIN, PIXEL_ID, pinned, runPaced, runWrk, USER_AGENT, writeTemplates } from './lib/load.mjs';
import { descendants, memorySampler, runCommand, scanProcs, sleep, startCpuMeter } from './lib/procs.mjs';
import { evaluateTargets, machineInfo, perCoreCost, renderMarkdown } from './lib/report.mjs';
import {
  addPixel,
  embeddedStore,
  gatewayWarnings,
  postgresStore,
  startBare,
  startFake,
  startGateway,
  startPeer,
} from './lib/servers.mjs';
import {
  connect,
  createDatabase,
  ensureBuilt,
  ensurePeerDeps,
  ensureWrk,
  harnessBackends,
  newSecretKey,
  peerVersions,
  postgresPids,
  postgresVersion,
  ROOT,
} from './lib/setup.mjs';
import { summarizeProfile } from './profile-summary.mjs';

const ALL = ['bare', 'peer', 'embedded', 'postgres', 'postgres-1w', 'postgres-2w', 'drain-embedded', 'drain-postgres'];
// Diagnostics, only with --diagnose or --only: the same POST /events runs with CAPIG_PUBLISH=off
// (ingest alone), paced at the rate of the publishing run when it ran before, to show what
// publishing costs ingest.
const EXTRA = ['embedded-publish-off', 'postgres-publish-off'];
// Phases that need the machine's PostgreSQL at 127.0.0.1:5432.
const NEEDS_PG = new Set(['postgres', 'postgres-1w', 'postgres-2w', 'drain-postgres', 'postgres-publish-off']);
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    diagnose: { type: 'boolean', default: false },
    only: { type: 'string' },
    seconds: { type: 'string' },
    backlog: { type: 'string' },
    connections: { type: 'string', default: '64' },
    workers: { type: 'string' },
  },
});
const quick = values.quick;
const cfg = {
  mode: quick ? 'quick' : 'full',
  satSeconds: Number(values.seconds ?? (quick ? 3 : 10)),
  satWarmup: quick ? 1 : 3,
  pacedSeconds: Number(values.seconds ?? (quick ? 3 : 10)),
  pacedWarmup: quick ? 1 : 2,
  backlog: Number(values.backlog ?? (quick ? 100_000 : 1_000_000)),
  drainCapSeconds: quick ? 60 : 150,
  connections: Number(values.connections),
  phases: values.only
    ? values.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : values.diagnose
      ? [...ALL, ...EXTRA]
      : ALL,
  profile: values.profile,
};
for (const p of cfg.phases) {
  if (!ALL.includes(p) && !EXTRA.includes(p)) {
    process.stderr.write(`--only: unknown phase ${p} (one of ${[...ALL, ...EXTRA].join(', ')})\n`);
    process.exit(2);
  }
}
if (cfg.phases.length === 0) {
  process.stderr.write(`--only: no phase given (one or more of ${[...ALL, ...EXTRA].join(', ')})\n`);
  process.exit(2);
}

const stamp = new Date()
  .toISOString()
  .replace(/[:.]/g, '-')
  .replace(/-\d{3}Z$/, 'Z');
const resultsDir = join(ROOT, 'bench/results');
const workDir = join(resultsDir, `${stamp}-work`);
const logDir = join(workDir, 'logs');
const profileDir = join(workDir, 'profiles');
mkdirSync(logDir, { recursive: true });
const startedAt = Date.now();
const log = (msg) => process.stdout.write(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

const HEADERS = [`User-Agent: ${USER_AGENT}`, `Origin: ${ORIGIN}`];
const results = {
  date: new Date().toISOString(),
  config: cfg,
  machine: null,
  runs: {},
  drains: {},
  // One entry per gateway started: its memory over its whole life, its processes, what was left.
  gateways: {},
  sanity: {},
  notes: [],
};

async function main() {
  log(`capig benchmark (${cfg.mode}): phases ${cfg.phases.join(', ')}; results in bench/results/${stamp}.md`);
  await ensureWrk(log);
  await ensureBuilt(log, join(logDir, 'build.log'));
  if (cfg.phases.includes('peer')) await ensurePeerDeps(log, join(logDir, 'npm-peer.log'));
  const pgVersion = await postgresVersion();
  results.machine = await machineInfo({ pgVersion, peer: peerVersions(), loadCore: pinned('x', []).core });
  // How busy the machine is before we add load: other work here disturbs every number below.
  const idle = await startCpuMeter({});
  await sleep(3000);
  results.machine.busy_before_run = (await idle.stop()).machine_busy;
  log(
    `machine busy before the run: ${Math.round(results.machine.busy_before_run * 100)}% of ${results.machine.nproc} cores`,
  );
  if (results.machine.busy_before_run > 0.1) {
    results.notes.push(
      `Other processes kept the machine ${Math.round(results.machine.busy_before_run * 100)}% busy just before this run: numbers are disturbed; rerun on a quiet machine.`,
    );
  }
  const templates = writeTemplates(workDir);
  const fake = await startFake(logDir);
  log(`fake Graph API on ${fake.url}`);

  const wanted = (phase) => {
    if (!cfg.phases.includes(phase)) return false;
    if (NEEDS_PG.has(phase) && !pgVersion) {
      skipPostgres(phase);
      return false;
    }
    return true;
  };
  try {
    if (wanted('bare')) await plainServer('bare', () => startBare(logDir), templates);
    if (wanted('peer')) await plainServer('peer', () => startPeer(logDir, fake.url), templates);
    for (const kind of ['embedded', 'postgres']) {
      if (wanted(kind)) await gatewayIngest(kind, fake, templates);
    }
    for (const workers of [1, 2]) {
      if (wanted(`postgres-${workers}w`)) await gatewayWorkers(workers, fake, templates);
    }
    for (const kind of ['embedded', 'postgres']) {
      if (wanted(`${kind}-publish-off`)) await gatewayPublishOff(kind, fake, templates);
    }
    for (const kind of ['embedded', 'postgres']) {
      if (wanted(`drain-${kind}`)) await drain(kind, fake, templates);
    }
  } finally {
    await fake.proc.stop();
  }

  if (cfg.profile) results.profiles = summarizeProfiles();
  results.workers = perCoreCost(results);
  results.targets = evaluateTargets(results);
  results.total_seconds = Math.round((Date.now() - startedAt) / 1000);
  const md = renderMarkdown(results, stamp);
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${stamp}.md`), md);
  process.stdout.write(`\n${md}\n`);
  log(`wrote bench/results/${stamp}.md and .json (logs in bench/results/${stamp}-work/logs)`);
}

function skipPostgres(phase) {
  const msg = `${phase}: skipped, no PostgreSQL answers at 127.0.0.1:5432 (start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)`;
  results.notes.push(msg);
  log(msg);
}

/**
 * What to measure around a run: CPU groups (name -> pids, asked anew every 250 ms), the memory
 * sampler of the server's processes (a window per run), and the database to sample
 * pg_stat_activity from. For a gateway on DATABASE_URL, "postgres" is the bench database's sessions
 * plus the server's checkpointer, background writer and WAL writer (from pg_stat_activity), and
 * "postgres_all" every process of that server (other databases' load included); on the embedded
 * default "postgres" is every process of the gateway's own server.
 */
function gatewayTarget(gw, store, fake) {
  const groups = {
    server: () => gw.processes().gateway,
    ...(fake ? { fake: () => [fake.proc.pid] } : {}),
  };
  if (store.kind === 'embedded') groups.postgres = () => gw.processes().postgres;
  return { kind: store.kind, groups, memory: gw.memory, pg: { url: store.url(), db: dbNameOf(store) } };
}

function dbNameOf(store) {
  return store.kind === 'postgres' ? store.db.name : 'postgres';
}

/** Runs fn while measuring target (see gatewayTarget; a plain server has groups and memory only). */
async function measured(target, fn) {
  const waits = target.pg ? await startWaitSampler(target.pg.url, target.pg.db) : null;
  const groups = { ...target.groups };
  if (waits && target.kind === 'postgres') {
    groups.postgres = waits.pids;
    groups.postgres_all = postgresPids;
  }
  const cpu = await startCpuMeter(groups);
  await target.memory?.startWindow();
  const stop = async () => ({
    usage: await cpu.stop(),
    memory: target.memory ? await target.memory.endWindow() : null,
    pgWaits: waits ? await waits.stop() : null,
  });
  let result;
  try {
    result = await fn();
  } catch (err) {
    await stop();
    throw err;
  }
  const { usage, memory, pgWaits } = await stop();
  return {
    ...result,
    cpu: usage,
    ...(memory ? { memory } : {}),
    ...(pgWaits ? { pg_waits: pgWaits.waits, pg_sessions_max: pgWaits.sessions_max } : {}),
  };
}

/**
 * What the gateway's PostgreSQL sessions are doing, sampled every 50 ms from pg_stat_activity:
 * the share of session-samples per state/wait event (e.g. "active: CPU", "idle: Client:ClientRead",
 * "active: Lock:transactionid", "active: IO:WALSync"). pids() gives the server processes that work
 * for the bench database: its sessions (the harness's own left out), its autovacuum workers, and the
 * checkpointer, background writer and WAL writer.
 */
async function startWaitSampler(url, dbName) {
  const c = await connect(url);
  const tally = new Map();
  let samples = 0;
  let sessionsMax = 0;
  let stopped = false;
  let pids = [];
  const AUX = ['checkpointer', 'background writer', 'walwriter'];
  const sample = async () => {
    try {
      const { rows } = await c.query(
        `SELECT pid, datname, backend_type, state, wait_event_type, wait_event FROM pg_stat_activity
          WHERE pid <> pg_backend_pid()`,
      );
      samples++;
      const now = [];
      let sessions = 0;
      for (const r of rows) {
        const ours = r.datname === dbName && !harnessBackends.has(r.pid);
        if (ours && r.backend_type === 'client backend') {
          sessions++;
          const key = `${r.state}: ${r.wait_event_type ? `${r.wait_event_type}:${r.wait_event}` : 'CPU'}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
        }
        if (ours || AUX.includes(r.backend_type)) now.push(r.pid);
      }
      sessionsMax = Math.max(sessionsMax, sessions);
      pids = now;
    } catch {
      // sampling is best effort
    }
  };
  await sample();
  const loop = (async () => {
    while (!stopped) {
      await sleep(50);
      await sample();
    }
  })();
  return {
    pids: () => pids,
    async stop() {
      stopped = true;
      await loop;
      await c.end().catch(() => {});
      // Average number of sessions in each state (sessions per sample).
      const waits = Object.fromEntries(
        [...tally.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => [k, Math.round((v / Math.max(1, samples)) * 100) / 100]),
      );
      return { waits, sessions_max: sessionsMax };
    },
  };
}

async function saturation(name, url, template, eventsPerRequest, target, extraHeaders = []) {
  const headers = [...HEADERS, ...extraHeaders];
  const prefix = `${name}-${Date.now()}-`;
  const warm = await runWrk({
    url,
    template,
    prefix: `${prefix}warm-`,
    headers,
    seconds: cfg.satWarmup,
    connections: cfg.connections,
    logFile: join(logDir, 'wrk.log'),
  });
  const r = await measured(target, () =>
    runWrk({
      url,
      template,
      prefix,
      headers,
      seconds: cfg.satSeconds,
      connections: cfg.connections,
      logFile: join(logDir, 'wrk.log'),
    }),
  );
  r.events_per_request = eventsPerRequest;
  r.warmup_requests = warm.requests;
  r.events_per_s = r.rps * eventsPerRequest;
  r.load = `wrk -t1 -c${cfg.connections}, ${cfg.satSeconds} s after ${cfg.satWarmup} s warm-up`;
  log(
    `${name}: ${r.rps} req/s (${r.events_per_s} events/s), p50 ${r.latency_ms.p50} ms, p99 ${r.latency_ms.p99} ms, ` +
      `errors ${r.errors}, server ${r.cpu.cores.server} cores` +
      `${r.cpu.cores.postgres !== undefined ? `, PostgreSQL ${r.cpu.cores.postgres} cores` : ''}` +
      `, memory ${r.memory?.peak_pss_mb ?? '–'} MB PSS / ${r.memory?.peak_rss_mb ?? '–'} MB RSS ` +
      `(${r.memory?.max_processes ?? '–'} processes)`,
  );
  return r;
}

/** Single browser events at a fixed rate (bench/paced-load.mjs), with the server's measures. */
function pacedBrowserEvents(url, prefix, rate, templates, target) {
  const load = () =>
    runPaced({
      url,
      template: templates.browser,
      prefix: `${prefix}${Date.now()}-`,
      headers: HEADERS,
      rate,
      seconds: cfg.pacedSeconds,
      warmup: cfg.pacedWarmup,
      connections: cfg.connections,
      logFile: join(logDir, 'paced.log'),
    });
  return measured(target, load);
}

async function plainServer(name, start, templates) {
  log(`${name}: starting`);
  const server = await start();
  const pid = server.proc.pid;
  const tree = () => ({ server: [...descendants(scanProcs(), [pid])] });
  const memory = memorySampler(tree);
  try {
    const r = await saturation(`${name}-browser-sat`, `${server.url}/events`, templates.browser, 1, {
      groups: { server: () => tree().server },
      memory,
    });
    results.runs[`${name}/browser/saturation`] = r;
  } finally {
    const mem = await memory.stop();
    results.gateways[name] = { memory: mem };
    await server.proc.stop();
  }
}

async function openStore(kind) {
  if (kind === 'embedded') return embeddedStore();
  const db = await createDatabase(`capig_bench_${process.pid}_${Date.now()}`);
  return postgresStore(db, newSecretKey());
}

/** Stops a gateway and records its whole-life memory and whether every process of it is gone. */
async function stopGateway(gw, store) {
  const s = await gw.stop();
  const serverLeft = store.kind === 'embedded' ? store.serverProcessesNow() : [];
  results.gateways[gw.name] = {
    store: store.kind,
    workers: gw.workers,
    memory: s.memory,
    processes_at_stop: s.processes_at_stop,
    exit: s.exit,
    leftover: s.leftover,
    server_left_after_stop: serverLeft.length,
    relocated_server_dir: store.kind === 'embedded' ? store.relocated() : undefined,
  };
  const left = s.leftover.length + serverLeft.length;
  const msg =
    `${gw.name}: stopped (${JSON.stringify(s.exit)}); peak ${s.memory.peak_pss_mb} MB PSS / ${s.memory.peak_rss_mb} MB RSS ` +
    `over ${s.memory.max_processes} processes; at stop ${s.processes_at_stop.gateway} gateway + ${s.processes_at_stop.postgres} PostgreSQL processes; ` +
    `left after stop: ${left}`;
  log(msg);
  if (left > 0) {
    results.notes.push(
      `${gw.name}: ${left} process(es) still ran after it stopped and were killed by the harness: ${JSON.stringify([...s.leftover, ...serverLeft])}`,
    );
  }
  return s;
}

/** store.cleanup(), with a note when it had to stop an embedded server nobody stopped. */
async function cleanupStore(store, label) {
  const c = await store.cleanup();
  if (c.leftover_server_processes?.length) {
    results.notes.push(
      `${label}: the embedded PostgreSQL server still ran after the gateway stopped (${c.leftover_server_processes.length} processes), stopped by the harness`,
    );
  }
  return c;
}

async function startMeasuredGateway(store, fake, opts) {
  // --workers N sets CAPIG_WORKERS for every phase that does not set its own.
  const gw = await startGateway(store, fake.url, logDir, {
    ...(values.workers ? { workers: Number(values.workers) } : {}),
    ...opts,
  });
  const p = gw.processes();
  log(
    `${gw.name}: up on ${gw.url}, ${p.gateway.length} gateway process(es)` +
      `${store.kind === 'embedded' ? `, ${p.postgres.length} embedded PostgreSQL process(es) (postmaster ${store.postmaster()}, files in ${store.serverDir()})` : ''}`,
  );
  return gw;
}

async function gatewayIngest(kind, fake, templates) {
  log(`gateway on ${kind}: setting up`);
  const store = await openStore(kind);
  let gw = null;
  try {
    const accessKey = await addPixel(store, fake.url, logDir);
    gw = await startMeasuredGateway(store, fake, { profileDir: cfg.profile ? profileDir : undefined });
    const base = gw.url;
    const auth = `Authorization: Bearer ${accessKey}`;
    const fakeBefore = (await fake.stats()).eventsAccepted;
    results.sanity[kind] = await sanityCheck(base, accessKey);
    const target = gatewayTarget(gw, store, fake);
    const runs = {};
    // Each run starts with an empty queue: wait until the fake Graph API has every event acknowledged
    // so far, so a backlog left by one run is not published during (and charged to) the next.
    let acked = 2;
    const settled = {};
    const settle = async (label) => {
      const d = await waitDelivered(fake, fakeBefore, acked, 60_000);
      settled[label] = d;
      if (d.count < acked)
        log(`${kind}: after ${label}, only ${d.count} of ${acked} acknowledged events reached the fake within 60 s`);
    };
    await settle('sanity');
    runs.browser = await saturation(`${kind}-browser-sat`, `${base}/events`, templates.browser, 1, target);
    acked += runs.browser.requests + runs.browser.warmup_requests;
    await settle('browser');
    const rate = Math.max(1, Math.round(runs.browser.rps / 2));
    const paced = await pacedBrowserEvents(`${base}/events`, `${kind}-paced-`, rate, templates, target);
    paced.events_per_s = paced.rps;
    paced.load = `paced-load.mjs at ${rate} req/s (half of POST /events saturation), ${cfg.pacedSeconds} s after ${cfg.pacedWarmup} s warm-up, ${cfg.connections} connections`;
    log(
      `${kind}-browser-paced @${rate}/s: ${paced.rps} req/s ok, p50 ${paced.latency_ms.p50} ms, p99 ${paced.latency_ms.p99} ms, ` +
        `max ${paced.latency_ms.max} ms, errors ${paced.errors}`,
    );
    runs.paced = paced;
    acked += paced.ok + paced.warmup_ok;
    await settle('paced');
    runs.capi1 = await saturation(`${kind}-capi1-sat`, `${base}/capi/${PIXEL_ID}/events`, templates.capi1, 1, target, [
      auth,
    ]);
    acked += runs.capi1.requests + runs.capi1.warmup_requests;
    await settle('capi1');
    runs.capi100 = await saturation(
      `${kind}-capi100-sat`,
      `${base}/capi/${PIXEL_ID}/events`,
      templates.capi100,
      100,
      target,
      [auth],
    );
    acked += (runs.capi100.requests + runs.capi100.warmup_requests) * 100;
    await settle('capi100');
    const delivered = settled.capi100;
    results.runs[`gateway-${kind}/browser/saturation`] = runs.browser;
    results.runs[`gateway-${kind}/capi-1/saturation`] = runs.capi1;
    results.runs[`gateway-${kind}/capi-100/saturation`] = runs.capi100;
    results.runs[`gateway-${kind}/browser/paced`] = paced;
    results.sanity[kind].delivery = {
      measured_acknowledged_at_least: acked,
      delivered_to_fake: delivered.count,
      seconds_after_load: delivered.seconds,
      settle_seconds: Object.fromEntries(Object.entries(settled).map(([k, v]) => [k, v.seconds])),
    };
    log(
      `${kind}: ${delivered.count} events delivered to the fake for ${acked} acknowledged (wrk may count a few less: requests in flight when it stops)`,
    );
  } finally {
    if (gw) {
      const s = await stopGateway(gw, store);
      results.sanity[kind].warn_log_lines = gatewayWarnings(join(logDir, `${gw.name}.log`));
      results.sanity[kind].left_after_stop = s.leftover.length + results.gateways[gw.name].server_left_after_stop;
    }
    await cleanupStore(store, `gateway on ${kind}`);
  }
}

/** POST /events at saturation on DATABASE_URL with CAPIG_WORKERS=workers. */
async function gatewayWorkers(workers, fake, templates) {
  const kind = 'postgres';
  const label = `postgres-${workers}w`;
  log(`gateway on ${kind} with CAPIG_WORKERS=${workers}: setting up`);
  const store = await openStore(kind);
  let gw = null;
  try {
    const accessKey = await addPixel(store, fake.url, logDir);
    gw = await startMeasuredGateway(store, fake, {
      workers,
      name: `gateway-${label}`,
      profileDir: cfg.profile ? profileDir : undefined,
    });
    const fakeBefore = (await fake.stats()).eventsAccepted;
    results.sanity[label] = await sanityCheck(gw.url, accessKey);
    await waitDelivered(fake, fakeBefore, 2, 60_000);
    const target = gatewayTarget(gw, store, fake);
    const r = await saturation(`${label}-browser-sat`, `${gw.url}/events`, templates.browser, 1, target);
    r.workers = workers;
    r.gateway_processes = r.cpu.processes.server;
    results.runs[`gateway-${label}/browser/saturation`] = r;
    // With CAPIG_WORKERS=N > 1 the gateway is a cluster primary and N workers.
    if (workers > 1 && r.cpu.processes.server < workers + 1) {
      const msg = `${label}: CAPIG_WORKERS=${workers} was set, but only ${r.cpu.processes.server} gateway process(es) ran (a dist/ without cluster mode ignores it), so this run measures one process`;
      results.notes.push(msg);
      log(msg);
    }
    const acked = 2 + r.requests + r.warmup_requests;
    const d = await waitDelivered(fake, fakeBefore, acked, 60_000);
    results.sanity[label].delivery = {
      measured_acknowledged_at_least: acked,
      delivered_to_fake: d.count,
      seconds_after_load: d.seconds,
    };
    log(
      `${label}: ${r.cpu.processes.server} gateway process(es) seen; CPU s per 1,000 events: gateway ` +
        `${per1000(r.cpu.cores.server, r.events_per_s)}, PostgreSQL ${per1000(r.cpu.cores.postgres, r.events_per_s)}`,
    );
  } finally {
    if (gw) {
      const s = await stopGateway(gw, store);
      results.sanity[label].warn_log_lines = gatewayWarnings(join(logDir, `${gw.name}.log`));
      results.sanity[label].left_after_stop = s.leftover.length;
    }
    await cleanupStore(store, label);
  }
}

const per1000 = (cores, eps) => (cores === undefined || !eps ? '–' : Math.round((cores / eps) * 1000 * 1000) / 1000);

async function gatewayPublishOff(kind, fake, templates) {
  log(`gateway on ${kind} with CAPIG_PUBLISH=off: setting up`);
  const store = await openStore(kind);
  let gw = null;
  try {
    await addPixel(store, fake.url, logDir);
    gw = await startMeasuredGateway(store, fake, { publish: false, name: `gateway-${kind}-nopub` });
    const target = gatewayTarget(gw, store, null);
    const sat = await saturation(`${kind}-nopub-browser-sat`, `${gw.url}/events`, templates.browser, 1, target);
    const withPublisher = results.runs[`gateway-${kind}/browser/paced`];
    const rate = withPublisher?.target_rate ?? Math.max(1, Math.round(sat.rps / 2));
    const paced = await pacedBrowserEvents(`${gw.url}/events`, `${kind}-nopub-paced-`, rate, templates, target);
    paced.events_per_s = paced.rps;
    log(
      `${kind}-nopub-browser-paced @${rate}/s: p50 ${paced.latency_ms.p50} ms, p99 ${paced.latency_ms.p99} ms, errors ${paced.errors}`,
    );
    results.runs[`gateway-${kind}-nopub/browser/saturation`] = sat;
    results.runs[`gateway-${kind}-nopub/browser/paced`] = paced;
  } finally {
    if (gw) await stopGateway(gw, store);
    await cleanupStore(store, `${kind}-publish-off`);
  }
}

/** One browser event and one server event through the gateway: both must be queued, not dropped. */
async function sanityCheck(base, accessKey) {
  const b = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, origin: ORIGIN },
    body: JSON.stringify({
      event_name: 'PageView',
      event_id: `sanity-${Date.now()}`,
      'fb.pixel_id': PIXEL_ID,
      'fb.fbp': `fb.1.${Date.now()}.1234567890`,
      website_context: { location: 'https://shop.example.com/', referrer: '', isInIFrame: false },
    }),
  });
  const browser = await b.json();
  const s = await fetch(`${base}/capi/${PIXEL_ID}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessKey}` },
    body: JSON.stringify({
      data: [
        {
          event_name: 'Purchase',
          event_time: Math.floor(Date.now() / 1000),
          event_id: `sanity-${Date.now()}`,
          action_source: 'website',
          event_source_url: 'https://shop.example.com/checkout',
          user_data: { em: 'a@b.co', client_user_agent: 'x', client_ip_address: '203.0.113.7' },
        },
      ],
    }),
  });
  const server = await s.json();
  if (
    b.status !== 200 ||
    browser.queued !== 1 ||
    s.status !== 200 ||
    server.events_received !== 1 ||
    server.messages?.length
  ) {
    throw new Error(
      `sanity check failed: /events ${b.status} ${JSON.stringify(browser)}; /capi ${s.status} ${JSON.stringify(server)}`,
    );
  }
  return { browser_queued: browser.queued, capi_events_received: server.events_received };
}

async function waitDelivered(fake, before, expected, timeoutMs) {
  const t0 = Date.now();
  let count = 0;
  while (Date.now() - t0 < timeoutMs) {
    count = (await fake.stats()).eventsAccepted - before;
    if (count >= expected) break;
    await sleep(200);
  }
  return { count, seconds: Math.round((Date.now() - t0) / 100) / 10 };
}

const queueCount = async (pg) => Number((await pg.query('SELECT count(*) AS n FROM event_queue')).rows[0].n);

async function drain(kind, fake, templates) {
  log(`drain on ${kind}: filling a backlog of ${cfg.backlog} events with publishing off`);
  const store = await openStore(kind);
  let gw = null;
  const out = { backlog: cfg.backlog, max_batch: 1000 };
  let pg = null;
  try {
    const accessKey = await addPixel(store, fake.url, logDir);
    gw = await startMeasuredGateway(store, fake, { publish: false, name: `gateway-${kind}-fill` });
    const fillArgs = [
      join(ROOT, 'bench/fill-queue.mjs'),
      '--url',
      `${gw.url}/capi/${PIXEL_ID}/events`,
      '--template',
      templates.capi1000,
      '--events',
      String(cfg.backlog),
      '--concurrency',
      '4',
      '--header',
      `authorization: Bearer ${accessKey}`,
    ];
    const { command, args } = pinned(process.execPath, fillArgs);
    const fillTarget = gatewayTarget(gw, store, null);
    delete fillTarget.pg;
    const fill = await measured(fillTarget, async () =>
      JSON.parse(
        (await runCommand(command, args, { logFile: join(logDir, 'fill.log'), timeoutMs: 600_000 })).stdout.trim(),
      ),
    );
    out.fill = fill;
    log(
      `drain on ${kind}: filled ${fill.events} events in ${fill.seconds} s (${fill.rate} events/s via POST /capi batches of 1000), ` +
        `memory ${fill.memory.peak_pss_mb} MB PSS / ${fill.memory.peak_rss_mb} MB RSS`,
    );
    // Counted while the fill gateway still runs: the embedded server stops with it.
    pg = await connect(store.url());
    out.queued_before = await queueCount(pg);
    await pg.end();
    pg = null;
    await stopGateway(gw, store);
    gw = null;

    const before = (await fake.stats()).eventsAccepted;
    const spawnAt = Date.now();
    gw = await startMeasuredGateway(store, fake, {
      maxBatch: 1000,
      name: `gateway-${kind}-drain`,
      profileDir: cfg.profile ? profileDir : undefined,
    });
    const readyAt = Date.now();
    pg = await connect(store.url());
    const target = out.queued_before;
    const result = await measured(gatewayTarget(gw, store, fake), async () => {
      let firstAt = null;
      let delivered = 0;
      let queueEmptyAt = null;
      let lastCount = 0;
      const deadline = readyAt + cfg.drainCapSeconds * 1000;
      while (Date.now() < deadline) {
        delivered = (await fake.stats()).eventsAccepted - before;
        if (delivered > 0 && firstAt === null) firstAt = Date.now();
        // The fake's counter says when to look; the queue, counted, says when it is empty (a
        // retried batch could reach the fake twice). Counting a large queue costs the server, so
        // it is counted once the fake has the backlog, or every 5 s.
        if (delivered >= target || Date.now() - lastCount >= 5000) {
          lastCount = Date.now();
          if ((await queueCount(pg)) === 0) {
            queueEmptyAt = Date.now();
            break;
          }
        }
        await sleep(50);
      }
      const endAt = queueEmptyAt ?? Date.now();
      delivered = (await fake.stats()).eventsAccepted - before;
      const seconds = (endAt - readyAt) / 1000;
      return {
        drained: queueEmptyAt !== null,
        delivered,
        startup_seconds: Math.round((readyAt - spawnAt) / 100) / 10,
        first_delivery_after_ready_s: firstAt === null ? null : Math.round((firstAt - readyAt) / 100) / 10,
        seconds: Math.round(seconds * 10) / 10,
        events_per_s: Math.round(delivered / seconds),
      };
    });
    Object.assign(out, result);
    const fakeStats = await fake.stats();
    out.fake_rejected_total = fakeStats.eventsRejected;
    log(
      `drain on ${kind}: ${result.delivered} events in ${result.seconds} s = ${result.events_per_s} events/s ` +
        `(${result.drained ? 'queue empty' : `NOT drained within ${cfg.drainCapSeconds} s`}), gateway ${result.cpu.cores.server} cores, ` +
        `PostgreSQL ${result.cpu.cores.postgres ?? '–'} cores, memory ${result.memory.peak_pss_mb} MB PSS / ${result.memory.peak_rss_mb} MB RSS`,
    );
  } finally {
    if (pg) await pg.end().catch(() => {});
    if (gw) {
      await stopGateway(gw, store);
      out.warn_log_lines = gatewayWarnings(join(logDir, `${gw.name}.log`));
    }
    out.gateways = [`gateway-${kind}-fill`, `gateway-${kind}-drain`];
    results.drains[kind] = out;
    await cleanupStore(store, `drain on ${kind}`);
  }
}

function summarizeProfiles() {
  let files = [];
  try {
    files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
  return files.map((f) => summarizeProfile(join(profileDir, f), 20));
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`\nbench failed: ${err.stack ?? err}\n(logs in bench/results/${stamp}-work/logs)\n`);
    process.exit(1);
  },
);
