#!/usr/bin/env node
// The benchmark: npm run bench [-- --quick] [--profile] [--diagnose] [--only PHASE,...]
//   --quick     3 s points and a 100,000-event backlog (about 2 minutes) instead of 10 s and 1,000,000
//   --profile   the gateway runs under node --cpu-prof; the report summarizes the profiles
//   --diagnose  also runs POST /events with CAPIG_PUBLISH=off (phases pglite-publish-off, postgres-publish-off)
//   --only      a comma list of phases: bare, peer, pglite, postgres, drain-postgres, drain-pglite and the two above
//
// In one run, on this machine, side by side:
//   bare      a bare node:http server answering 204 (the ceiling)
//   peer      Express + facebook-nodejs-business-sdk, one EventRequest.execute() per request (the peer)
//   pglite    the gateway on the embedded database: POST /events, POST /capi (batches of 1 and 100)
//             at saturation (wrk), and POST /events paced at half of its saturation rate
//   postgres  the same on a fresh PostgreSQL database
//   drain-*   a backlog filled with the publisher off, then drained to the fake Graph API
// and writes bench/results/<timestamp>.md and .json (see docs/benchmarks.md).

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ORIGIN, PIXEL_ID, pinned, runPaced, runWrk, USER_AGENT, writeTemplates } from './lib/load.mjs';
import { procStatusKb, rssSampler, runCommand, sleep, startCpuMeter } from './lib/procs.mjs';
import { evaluateTargets, machineInfo, renderMarkdown } from './lib/report.mjs';
import {
  addPixel,
  gatewayWarnings,
  pgliteStore,
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
  newSecretKey,
  peerVersions,
  postgresPids,
  postgresVersion,
  ROOT,
} from './lib/setup.mjs';
import { summarizeProfile } from './profile-summary.mjs';

const ALL = ['bare', 'peer', 'pglite', 'postgres', 'drain-postgres', 'drain-pglite'];
// Diagnostics, only with --only: the same POST /events runs with CAPIG_PUBLISH=off (ingest alone),
// paced at the rate of the publishing run when it ran before, to show what publishing costs ingest.
const EXTRA = ['pglite-publish-off', 'postgres-publish-off'];
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    diagnose: { type: 'boolean', default: false },
    only: { type: 'string' },
    seconds: { type: 'string' },
    backlog: { type: 'string' },
    connections: { type: 'string', default: '64' },
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
  phases: values.only ? values.only.split(',').map((s) => s.trim()) : values.diagnose ? [...ALL, ...EXTRA] : ALL,
  profile: values.profile,
};
for (const p of cfg.phases) {
  if (!ALL.includes(p) && !EXTRA.includes(p))
    throw new Error(`--only: unknown phase ${p} (one of ${[...ALL, ...EXTRA].join(', ')})`);
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

  try {
    if (cfg.phases.includes('bare')) await plainServer('bare', () => startBare(logDir), templates);
    if (cfg.phases.includes('peer')) await plainServer('peer', () => startPeer(logDir, fake.url), templates);
    for (const kind of ['pglite', 'postgres']) {
      if (!cfg.phases.includes(kind)) continue;
      if (kind === 'postgres' && !pgVersion) {
        skipPostgres(kind);
        continue;
      }
      await gatewayIngest(kind, fake, templates);
    }
    for (const kind of ['pglite', 'postgres']) {
      if (!cfg.phases.includes(`${kind}-publish-off`)) continue;
      if (kind === 'postgres' && !pgVersion) {
        skipPostgres(`${kind}-publish-off`);
        continue;
      }
      await gatewayPublishOff(kind, fake, templates);
    }
    for (const kind of ['postgres', 'pglite']) {
      if (!cfg.phases.includes(`drain-${kind}`)) continue;
      if (kind === 'postgres' && !pgVersion) {
        skipPostgres(`drain-${kind}`);
        continue;
      }
      await drain(kind, fake, templates);
    }
  } finally {
    await fake.proc.stop();
  }

  if (cfg.profile) results.profiles = summarizeProfiles();
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

/** Runs fn while sampling the server's RSS and the CPU of the server (and PostgreSQL, the fake). */
async function measured(pid, fn, extraGroups = {}, pgUrl = null) {
  const rss = rssSampler(pid);
  const cpu = await startCpuMeter({ server: () => [pid], ...extraGroups });
  const waits = pgUrl ? await startWaitSampler(pgUrl) : null;
  const result = await fn();
  const usage = await cpu.stop();
  return { ...result, rss_mb: rss.stop(), cpu: usage, ...(waits ? { pg_waits: await waits.stop() } : {}) };
}

/**
 * What the gateway's PostgreSQL sessions are doing, sampled every 50 ms from pg_stat_activity:
 * the share of session-samples per state/wait event (e.g. "active: CPU", "idle: Client:ClientRead",
 * "active: Lock:transactionid", "active: IO:WALSync").
 */
async function startWaitSampler(url) {
  const c = await connect(url);
  const dbName = new URL(url).pathname.slice(1);
  const tally = new Map();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const { rows } = await c.query(
          `SELECT state, wait_event_type, wait_event FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
          [dbName],
        );
        samples++;
        for (const r of rows) {
          const key = `${r.state}: ${r.wait_event_type ? `${r.wait_event_type}:${r.wait_event}` : 'CPU'}`;
          tally.set(key, (tally.get(key) ?? 0) + 1);
        }
      } catch {
        // sampling is best effort
      }
      await sleep(50);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await c.end().catch(() => {});
      // Average number of sessions in each state (sessions per sample).
      return Object.fromEntries(
        [...tally.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => [k, Math.round((v / Math.max(1, samples)) * 100) / 100]),
      );
    },
  };
}

async function saturation(name, url, template, eventsPerRequest, pid, extraGroups, extraHeaders = [], pgUrl = null) {
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
  const r = await measured(
    pid,
    () =>
      runWrk({
        url,
        template,
        prefix,
        headers,
        seconds: cfg.satSeconds,
        connections: cfg.connections,
        logFile: join(logDir, 'wrk.log'),
      }),
    extraGroups,
    pgUrl,
  );
  r.events_per_request = eventsPerRequest;
  r.warmup_requests = warm.requests;
  r.events_per_s = r.rps * eventsPerRequest;
  r.load = `wrk -t1 -c${cfg.connections}, ${cfg.satSeconds} s after ${cfg.satWarmup} s warm-up`;
  log(
    `${name}: ${r.rps} req/s (${r.events_per_s} events/s), p50 ${r.latency_ms.p50} ms, p99 ${r.latency_ms.p99} ms, ` +
      `errors ${r.errors}, server ${r.cpu.cores.server} cores, RSS ${r.rss_mb} MB`,
  );
  return r;
}

/** Single browser events at a fixed rate (bench/paced-load.mjs), with the server's measures. */
function pacedBrowserEvents(url, prefix, rate, templates, pid, groups, pgUrl) {
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
  return measured(pid, load, groups, pgUrl);
}

async function plainServer(name, start, templates) {
  log(`${name}: starting`);
  const server = await start();
  try {
    const r = await saturation(`${name}-browser-sat`, `${server.url}/events`, templates.browser, 1, server.proc.pid);
    r.peak_rss_mb = Math.round((procStatusKb(server.proc.pid, 'VmHWM') ?? 0) / 1024);
    results.runs[`${name}/browser/saturation`] = r;
  } finally {
    await server.proc.stop();
  }
}

async function openStore(kind) {
  if (kind === 'pglite') return pgliteStore();
  const db = await createDatabase(`capig_bench_${process.pid}_${Date.now()}`);
  return postgresStore(db, newSecretKey());
}

async function gatewayIngest(kind, fake, templates) {
  log(`gateway on ${kind}: setting up`);
  const store = await openStore(kind);
  let gw = null;
  try {
    const accessKey = await addPixel(store, fake.url, logDir);
    gw = await startGateway(store, fake.url, logDir, { profileDir: cfg.profile ? profileDir : undefined });
    const base = gw.url;
    const pid = gw.proc.pid;
    const auth = `Authorization: Bearer ${accessKey}`;
    const fakeBefore = (await fake.stats()).eventsAccepted;
    results.sanity[kind] = await sanityCheck(base, accessKey);
    const groups = {
      fake: () => [fake.proc.pid],
      ...(kind === 'postgres' ? { postgres: postgresPids } : {}),
    };
    const runs = {};
    // Each run starts with an empty queue: wait until the fake Graph API has every event acknowledged
    // so far, so a backlog left by one run is not published during (and charged to) the next.
    let acked = 2;
    const settle = async (label) => {
      const d = await waitDelivered(fake, fakeBefore, acked, 60_000);
      settled[label] = d;
      if (d.count < acked)
        log(`${kind}: after ${label}, only ${d.count} of ${acked} acknowledged events reached the fake within 60 s`);
    };
    const settled = {};
    await settle('sanity');
    const pgUrl = kind === 'postgres' ? store.db.url : null;
    runs.browser = await saturation(
      `${kind}-browser-sat`,
      `${base}/events`,
      templates.browser,
      1,
      pid,
      groups,
      [],
      pgUrl,
    );
    acked += runs.browser.requests + runs.browser.warmup_requests;
    await settle('browser');
    const rate = Math.max(1, Math.round(runs.browser.rps / 2));
    const paced = await pacedBrowserEvents(`${base}/events`, `${kind}-paced-`, rate, templates, pid, groups, pgUrl);
    paced.events_per_s = paced.rps;
    paced.load = `paced-load.mjs at ${rate} req/s (half of POST /events saturation), ${cfg.pacedSeconds} s after ${cfg.pacedWarmup} s warm-up, ${cfg.connections} connections`;
    log(
      `${kind}-browser-paced @${rate}/s: ${paced.rps} req/s ok, p50 ${paced.latency_ms.p50} ms, p99 ${paced.latency_ms.p99} ms, ` +
        `max ${paced.latency_ms.max} ms, errors ${paced.errors}`,
    );
    runs.paced = paced;
    acked += paced.ok + paced.warmup_ok;
    await settle('paced');
    runs.capi1 = await saturation(
      `${kind}-capi1-sat`,
      `${base}/capi/${PIXEL_ID}/events`,
      templates.capi1,
      1,
      pid,
      groups,
      [auth],
      pgUrl,
    );
    acked += runs.capi1.requests + runs.capi1.warmup_requests;
    await settle('capi1');
    runs.capi100 = await saturation(
      `${kind}-capi100-sat`,
      `${base}/capi/${PIXEL_ID}/events`,
      templates.capi100,
      100,
      pid,
      groups,
      [auth],
      pgUrl,
    );
    acked += (runs.capi100.requests + runs.capi100.warmup_requests) * 100;
    await settle('capi100');
    const delivered = settled.capi100;
    const peak = Math.round((procStatusKb(pid, 'VmHWM') ?? 0) / 1024);
    results.runs[`gateway-${kind}/browser/saturation`] = runs.browser;
    results.runs[`gateway-${kind}/capi-1/saturation`] = runs.capi1;
    results.runs[`gateway-${kind}/capi-100/saturation`] = runs.capi100;
    results.runs[`gateway-${kind}/browser/paced`] = paced;
    for (const r of Object.values(runs)) r.peak_rss_mb = peak;
    results.sanity[kind].delivery = {
      measured_acknowledged_at_least: acked,
      delivered_to_fake: delivered.count,
      seconds_after_load: delivered.seconds,
      settle_seconds: Object.fromEntries(Object.entries(settled).map(([k, v]) => [k, v.seconds])),
    };
    log(
      `${kind}: ${delivered.count} events delivered to the fake for ${acked} acknowledged (wrk may count a few less: requests in flight when it stops); VmHWM ${peak} MB`,
    );
  } finally {
    if (gw) await gw.proc.stop();
    if (gw) results.sanity[kind].warn_log_lines = gatewayWarnings(join(logDir, `gateway-${kind}.log`));
    await store.cleanup();
  }
}

async function gatewayPublishOff(kind, fake, templates) {
  log(`gateway on ${kind} with CAPIG_PUBLISH=off: setting up`);
  const store = await openStore(kind);
  let gw = null;
  try {
    await addPixel(store, fake.url, logDir);
    gw = await startGateway(store, fake.url, logDir, { publish: false, name: `gateway-${kind}-nopub` });
    const pid = gw.proc.pid;
    const pgUrl = kind === 'postgres' ? store.db.url : null;
    const groups = kind === 'postgres' ? { postgres: postgresPids } : {};
    const sat = await saturation(
      `${kind}-nopub-browser-sat`,
      `${gw.url}/events`,
      templates.browser,
      1,
      pid,
      groups,
      [],
      pgUrl,
    );
    const withPublisher = results.runs[`gateway-${kind}/browser/paced`];
    const rate = withPublisher?.target_rate ?? Math.max(1, Math.round(sat.rps / 2));
    const paced = await pacedBrowserEvents(
      `${gw.url}/events`,
      `${kind}-nopub-paced-`,
      rate,
      templates,
      pid,
      groups,
      pgUrl,
    );
    paced.events_per_s = paced.rps;
    log(
      `${kind}-nopub-browser-paced @${rate}/s: p50 ${paced.latency_ms.p50} ms, p99 ${paced.latency_ms.p99} ms, errors ${paced.errors}`,
    );
    const peak = Math.round((procStatusKb(pid, 'VmHWM') ?? 0) / 1024);
    sat.peak_rss_mb = peak;
    paced.peak_rss_mb = peak;
    results.runs[`gateway-${kind}-nopub/browser/saturation`] = sat;
    results.runs[`gateway-${kind}-nopub/browser/paced`] = paced;
  } finally {
    if (gw) await gw.proc.stop();
    await store.cleanup();
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

async function drain(kind, fake, templates) {
  log(`drain on ${kind}: filling a backlog of ${cfg.backlog} events with publishing off`);
  const store = await openStore(kind);
  let gw = null;
  const out = { backlog: cfg.backlog, max_batch: 1000 };
  let pg = null;
  try {
    const accessKey = await addPixel(store, fake.url, logDir);
    gw = await startGateway(store, fake.url, logDir, { publish: false, name: `gateway-${kind}-fill` });
    const fillPid = gw.proc.pid;
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
    const fill = await measured(fillPid, async () =>
      JSON.parse(
        (await runCommand(command, args, { logFile: join(logDir, 'fill.log'), timeoutMs: 600_000 })).stdout.trim(),
      ),
    );
    out.fill = fill;
    log(
      `drain on ${kind}: filled ${fill.events} events in ${fill.seconds} s (${fill.rate} events/s via POST /capi batches of 1000)`,
    );
    await gw.proc.stop();
    gw = null;
    if (kind === 'postgres') {
      pg = await connect(store.db.url);
      out.queued_before = Number((await pg.query('SELECT count(*) AS n FROM event_queue')).rows[0].n);
    }

    const before = (await fake.stats()).eventsAccepted;
    const spawnAt = Date.now();
    gw = await startGateway(store, fake.url, logDir, {
      maxBatch: 1000,
      name: `gateway-${kind}-drain`,
      profileDir: cfg.profile ? profileDir : undefined,
    });
    const readyAt = Date.now();
    const pid = gw.proc.pid;
    const target = out.queued_before ?? fill.events;
    const groups = { fake: () => [fake.proc.pid], ...(kind === 'postgres' ? { postgres: postgresPids } : {}) };
    const result = await measured(
      pid,
      async () => {
        let firstAt = null;
        let delivered = 0;
        let queueEmptyAt = null;
        let lastCount = Date.now();
        const deadline = readyAt + cfg.drainCapSeconds * 1000;
        while (Date.now() < deadline) {
          delivered = (await fake.stats()).eventsAccepted - before;
          if (delivered > 0 && firstAt === null) firstAt = Date.now();
          if (pg && Date.now() - lastCount >= 1000) {
            lastCount = Date.now();
            const n = Number((await pg.query('SELECT count(*) AS n FROM event_queue')).rows[0].n);
            if (n === 0) {
              queueEmptyAt = Date.now();
              break;
            }
          }
          if (!pg && delivered >= target) {
            queueEmptyAt = Date.now();
            break;
          }
          await sleep(pg ? 100 : 50);
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
      },
      groups,
      kind === 'postgres' ? store.db.url : null,
    );
    result.peak_rss_mb = Math.round((procStatusKb(pid, 'VmHWM') ?? 0) / 1024);
    Object.assign(out, result);
    const fakeStats = await fake.stats();
    out.fake_rejected_total = fakeStats.eventsRejected;
    log(
      `drain on ${kind}: ${result.delivered} events in ${result.seconds} s = ${result.events_per_s} events/s ` +
        `(${result.drained ? 'queue empty' : `NOT drained within ${cfg.drainCapSeconds} s`}), gateway ${result.cpu.cores.server} cores, ` +
        `VmHWM ${result.peak_rss_mb} MB`,
    );
  } finally {
    if (pg) await pg.end().catch(() => {});
    if (gw) await gw.proc.stop();
    out.warn_log_lines = gatewayWarnings(join(logDir, `gateway-${kind}-drain.log`));
    results.drains[kind] = out;
    await store.cleanup();
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
