// The report: machine facts, the results table, the targets with PASS/MISS, as Markdown.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export const TARGETS = {
  ceilingRatio: 0.25,
  peerRatio: 10,
  pacedP99Ms: 20,
  memoryMb: 250,
  drainPerS: 40_000,
  drainBacklog: 1_000_000,
};

/** The 8-core prediction: cores of the machine it is made for. */
const PREDICT_CORES = 8;

export async function machineInfo({ pgVersion, peer, loadCore }) {
  const sh = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (err) {
      return (err.stdout ?? '').toString().trim() || null;
    }
  };
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const freeG = sh('free', ['-g']);
  const wrkVersion = (sh('sh', ['-c', 'wrk -v 2>&1 | head -1']) ?? '').split(' ').slice(0, 2).join(' ');
  return {
    nproc: Number(sh('nproc', [])) || availableParallelism(),
    cpu_model: cpuModel,
    memory_total_gb: Math.round(totalmem() / 2 ** 30),
    free_g: freeG,
    node: process.version,
    kernel: sh('uname', ['-r']),
    os: /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? null,
    postgres: pgVersion,
    wrk: wrkVersion,
    peer,
    load_generator_core: loadCore,
    loadavg_at_start: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const fmt = (n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? '–'
    : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

const STORE_LABEL = { embedded: 'embedded PostgreSQL (default)', postgres: 'PostgreSQL via DATABASE_URL' };

/** The gateways (results.gateways) of a store, by name. */
function gatewaysOf(results, kind) {
  return Object.entries(results.gateways).filter(([, g]) => g.store === kind);
}

/**
 * The DATABASE_URL runs with CAPIG_WORKERS=1 and =2 (and the default, when it ran): CPU seconds per
 * 1,000 events of the gateway's processes and of PostgreSQL, events per core-second consumed, and the
 * 8-core prediction from the run with the most workers.
 */
export function perCoreCost(results) {
  const rows = [];
  for (const [key, label] of [
    ['gateway-postgres-1w/browser/saturation', '1'],
    ['gateway-postgres-2w/browser/saturation', '2'],
    ['gateway-postgres/browser/saturation', 'default (unset)'],
  ]) {
    const r = results.runs[key];
    if (!r?.cpu) continue;
    const eps = r.events_per_s;
    const gw = r.cpu.cores.server;
    const pg = r.cpu.cores.postgres;
    const both = gw + (pg ?? 0);
    rows.push({
      workers: label,
      gateway_processes: r.cpu.processes.server,
      events_per_s: eps,
      p99_ms: r.latency_ms.p99,
      gateway_cores: gw,
      postgres_cores: pg ?? null,
      postgres_all_cores: r.cpu.cores.postgres_all ?? null,
      gateway_cpu_s_per_1000: eps ? Math.round((gw / eps) * 1e6) / 1000 : null,
      postgres_cpu_s_per_1000: eps && pg !== undefined ? Math.round((pg / eps) * 1e6) / 1000 : null,
      events_per_core_second: both ? Math.round(eps / both) : null,
      machine_busy: r.cpu.machine_busy,
      load_generator_cores: r.load_generator_cores,
    });
  }
  if (rows.length === 0) return null;
  const basis = rows.find((x) => x.workers === '2') ?? rows.find((x) => x.workers === '1') ?? rows[0];
  const one = rows.find((x) => x.workers === '1');
  const two = rows.find((x) => x.workers === '2');
  return {
    rows,
    speedup_2w_over_1w:
      one && two && one.events_per_s ? Math.round((two.events_per_s / one.events_per_s) * 100) / 100 : null,
    prediction: basis.events_per_core_second
      ? {
          basis_workers: basis.workers,
          events_per_core_second: basis.events_per_core_second,
          cores: PREDICT_CORES,
          predicted_events_per_s: basis.events_per_core_second * PREDICT_CORES,
        }
      : null,
  };
}

const PREDICTION_ASSUMPTIONS =
  `the CPU cost per event measured here stays the same on ${PREDICT_CORES} cores (linear scaling: enough workers to use them, ` +
  'no lock or WAL-flush contention that grows with the rate, group commit hiding fsync latency); the gateway and PostgreSQL ' +
  `share the ${PREDICT_CORES} cores and use all of them; the load generator and the Graph API run elsewhere (here wrk has its ` +
  "own pinned core and the fake Graph API is not counted); PostgreSQL = the bench database's sessions and autovacuum workers " +
  "plus the checkpointer, background writer and WAL writer (from pg_stat_activity), not other databases' sessions; " +
  "publishing to the Graph API of the same events is included in the gateway's CPU";

export function evaluateTargets(results) {
  const runs = results.runs;
  const bare = runs['bare/browser/saturation'];
  const peer = runs['peer/browser/saturation'];
  const gw = runs['gateway-embedded/browser/saturation'];
  const paced = runs['gateway-embedded/browser/paced'];
  const drain = results.drains.embedded;
  const out = [];
  const row = (target, goal, measured, pass) => out.push({ target, goal, measured, result: pass });
  const missing = (what) => `not measured in this run (needs ${what})`;

  row(
    'durable single browser events/s, embedded default, publisher on, vs bare node:http',
    `>= ${TARGETS.ceilingRatio}x`,
    gw && bare
      ? `${fmt(gw.events_per_s / bare.events_per_s, 3)}x (${fmt(gw.events_per_s)} / ${fmt(bare.events_per_s)} events/s)`
      : missing(`phases ${[!gw && 'embedded', !bare && 'bare'].filter(Boolean).join(' and ')}`),
    gw && bare ? (gw.events_per_s / bare.events_per_s >= TARGETS.ceilingRatio ? 'PASS' : 'MISS') : '–',
  );
  row(
    'same, vs the Express + business SDK peer',
    `>= ${TARGETS.peerRatio}x`,
    gw && peer
      ? `${fmt(gw.events_per_s / peer.events_per_s, 1)}x (${fmt(gw.events_per_s)} / ${fmt(peer.events_per_s)} events/s)`
      : missing(`phases ${[!gw && 'embedded', !peer && 'peer'].filter(Boolean).join(' and ')}`),
    gw && peer ? (gw.events_per_s / peer.events_per_s >= TARGETS.peerRatio ? 'PASS' : 'MISS') : '–',
  );
  row(
    'p99 at half of saturation, embedded default',
    `<= ${TARGETS.pacedP99Ms} ms`,
    paced
      ? `${fmt(paced.latency_ms.p99, 1)} ms at ${fmt(paced.target_rate)} req/s (${paced.errors} errors)`
      : missing('phase embedded'),
    paced
      ? paced.latency_ms.p99 !== null && paced.latency_ms.p99 <= TARGETS.pacedP99Ms && paced.errors === 0
        ? 'PASS'
        : 'MISS'
      : '–',
  );
  const embedded = gatewaysOf(results, 'embedded').filter(([, g]) => g.memory);
  if (embedded.length) {
    const [name, top] = embedded.reduce((a, b) => (b[1].memory.peak_pss_mb > a[1].memory.peak_pss_mb ? b : a));
    const m = top.memory;
    const split = m.at_peak_pss
      ? `; at that peak: gateway ${m.at_peak_pss.gateway?.pss_mb ?? 0} MB in ${m.at_peak_pss.gateway?.processes ?? 0} processes, ` +
        `PostgreSQL ${m.at_peak_pss.postgres?.pss_mb ?? 0} MB in ${m.at_peak_pss.postgres?.processes ?? 0}`
      : '';
    row(
      'peak memory of all gateway processes, embedded database included',
      `< ${TARGETS.memoryMb} MB`,
      `${fmt(m.peak_pss_mb)} MB PSS, ${fmt(m.peak_rss_mb)} MB RSS (${name}, highest of ${embedded.length} embedded gateway(s)${split})`,
      m.peak_pss_mb < TARGETS.memoryMb ? 'PASS' : 'MISS',
    );
  } else {
    row(
      'peak memory of all gateway processes, embedded database included',
      `< ${TARGETS.memoryMb} MB`,
      missing('phase embedded or drain-embedded'),
      '–',
    );
  }
  row(
    `backlog drain of ${fmt(TARGETS.drainBacklog)} events to the fake Graph API (embedded)`,
    `>= ${fmt(TARGETS.drainPerS / 1000)}k events/s`,
    drain?.events_per_s !== undefined
      ? `${fmt(drain.events_per_s)} events/s (${fmt(drain.delivered)} events in ${drain.seconds} s` +
          `${drain.drained ? '' : ', not drained'}${drain.backlog < TARGETS.drainBacklog ? `; backlog ${fmt(drain.backlog)}, under the ${fmt(TARGETS.drainBacklog)} the target is set for` : ''})`
      : missing('phase drain-embedded'),
    drain?.events_per_s !== undefined
      ? drain.drained && drain.events_per_s >= TARGETS.drainPerS
        ? 'PASS'
        : 'MISS'
      : '–',
  );
  const w = results.workers;
  const one = w?.rows.find((x) => x.workers === '1');
  const two = w?.rows.find((x) => x.workers === '2');
  row(
    'DATABASE_URL, 1 worker vs 2 workers',
    'reported + per-core prediction',
    one && two
      ? `${fmt(one.events_per_s)} vs ${fmt(two.events_per_s)} events/s (${fmt(w.speedup_2w_over_1w, 2)}x); ` +
          `${fmt(w.prediction?.events_per_core_second)} events per core-second → about ${fmt(w.prediction?.predicted_events_per_s)} events/s on ${PREDICT_CORES} cores`
      : missing(`phases ${[!one && 'postgres-1w', !two && 'postgres-2w'].filter(Boolean).join(' and ')}`),
    one && two ? 'REPORTED' : '–',
  );
  return out;
}

const RUN_LABELS = {
  'bare/browser/saturation': ['bare node:http 204 (ceiling)', 'POST /events, saturation'],
  'peer/browser/saturation': ['Express + business SDK (peer)', 'POST /events, saturation'],
};
function whoLabel(who) {
  const m = /^gateway-(embedded|postgres)(?:-(\d+)w)?(-nopub)?$/.exec(who);
  if (!m) return who;
  const parts = [`capig on ${STORE_LABEL[m[1]]}`];
  if (m[2]) parts.push(`CAPIG_WORKERS=${m[2]}`);
  if (m[3]) parts.push('CAPIG_PUBLISH=off');
  return parts.join(', ');
}
function runLabel(key) {
  if (RUN_LABELS[key]) return RUN_LABELS[key];
  const [who, what, how] = key.split('/');
  const route = what === 'browser' ? 'POST /events (1 browser event)' : `POST /capi, batch of ${what.split('-')[1]}`;
  const paced = who.endsWith('-nopub') ? "paced at the publishing run's rate" : 'paced at ½ saturation';
  return [whoLabel(who), `${route}, ${how === 'paced' ? paced : 'saturation'}`];
}

export function renderMarkdown(results, stamp) {
  const m = results.machine;
  const lines = [];
  lines.push(
    `# capig benchmark, ${results.date.slice(0, 16).replace('T', ' ')} UTC (${results.config.mode} run, ${stamp})`,
  );
  lines.push('');
  lines.push(
    `Machine: ${m.nproc} cores (${m.cpu_model}), ${m.memory_total_gb} GB RAM, ${m.os ?? ''}, kernel ${m.kernel}; ` +
      `Node ${m.node}; PostgreSQL ${m.postgres ?? 'not available'} (DATABASE_URL phases); ${m.wrk}; peer: express ${m.peer?.express ?? '–'}, ` +
      `facebook-nodejs-business-sdk ${m.peer?.['facebook-nodejs-business-sdk'] ?? '–'}. ` +
      `Load generator pinned to core ${m.load_generator_core ?? '(not pinned)'}; load average at start ${m.loadavg_at_start.join(' ')}; ` +
      `machine ${Math.round((m.busy_before_run ?? 0) * 100)}% busy in the 3 s before the run. Phases: ${results.config.phases.join(', ')}.`,
  );
  lines.push('');
  lines.push('## Targets');
  lines.push('');
  lines.push('| target | goal | measured | result |');
  lines.push('|---|---|---|---|');
  for (const t of results.targets)
    lines.push(`| ${t.target} | ${t.goal} | ${t.measured} | ${t.result === '–' ? '–' : `**${t.result}**`} |`);
  lines.push('');
  lines.push(
    'Ratios and limits are judged within this run. Memory is PSS (each shared page divided among the processes that map it, ' +
      "so PostgreSQL's shared buffers count once), summed over every process of the gateway at the same instant.",
  );
  if (Object.keys(results.runs).length) {
    lines.push('');
    lines.push('## Ingest');
    lines.push('');
    lines.push(
      '| server | load | req/s | events/s | p50 ms | p99 ms | max ms | errors | server CPU (cores) | PostgreSQL CPU | load generator CPU | machine busy | processes | peak PSS MB | peak RSS MB |',
    );
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [key, r] of Object.entries(results.runs)) {
      const [who, what] = runLabel(key);
      const procs = r.cpu
        ? `${r.cpu.processes.server}${r.cpu.processes.postgres !== undefined && key.startsWith('gateway-embedded') ? ` + ${r.cpu.processes.postgres}` : ''}`
        : '–';
      lines.push(
        `| ${who} | ${what} | ${fmt(r.rps)} | ${fmt(r.events_per_s)} | ${fmt(r.latency_ms.p50, 2)} | ${fmt(r.latency_ms.p99, 2)} | ` +
          `${fmt(r.latency_ms.max, 1)} | ${r.errors} | ${fmt(r.cpu?.cores.server, 2)} | ${fmt(r.cpu?.cores.postgres, 2)} | ` +
          `${fmt(r.load_generator_cores, 2)} | ` +
          `${r.cpu ? `${Math.round(r.cpu.machine_busy * 100)}%` : '–'} | ${procs} | ${fmt(r.memory?.peak_pss_mb)} | ${fmt(r.memory?.peak_rss_mb)} |`,
      );
    }
    lines.push('');
    lines.push(
      'Saturation: `wrk -t1 -c' +
        `${results.config.connections} -d${results.config.satSeconds}s\` after a ${results.config.satWarmup} s warm-up, every event with a unique event_id. ` +
        `Paced: bench/paced-load.mjs (open loop, latency from the scheduled send time) for ${results.config.pacedSeconds} s after a ${results.config.pacedWarmup} s warm-up. ` +
        'Server CPU and memory cover every process of the server: for capig the node process, its cluster workers and, on the embedded default, ' +
        'its PostgreSQL server (processes: gateway + PostgreSQL processes seen during the run; PostgreSQL CPU is that server). ' +
        "On DATABASE_URL, memory is the gateway's processes only, and PostgreSQL CPU is the bench database's sessions and autovacuum workers " +
        "plus the server's checkpointer, background writer and WAL writer (pg_stat_activity). " +
        'Peak PSS and RSS: the highest sum over those processes, sampled every 250 ms during the run.',
    );
  }
  const bare = results.runs['bare/browser/saturation'];
  const peer = results.runs['peer/browser/saturation'];
  const ratioLines = [];
  for (const who of ['gateway-embedded', 'gateway-postgres', 'gateway-postgres-1w', 'gateway-postgres-2w']) {
    const gw = results.runs[`${who}/browser/saturation`];
    if (!gw) continue;
    const parts = [];
    if (bare) parts.push(`${fmt(gw.events_per_s / bare.events_per_s, 3)}x the bare ceiling`);
    if (peer) parts.push(`${fmt(gw.events_per_s / peer.events_per_s, 1)}x the Express+SDK peer`);
    if (parts.length) ratioLines.push(`- ${whoLabel(who)}, POST /events: ${parts.join(', ')}`);
  }
  if (ratioLines.length) {
    lines.push('');
    lines.push('Ratios (single browser events at saturation):');
    lines.push(...ratioLines);
  }
  const w = results.workers;
  if (w) {
    lines.push('');
    lines.push('## DATABASE_URL: CAPIG_WORKERS=1 vs 2 (POST /events, saturation)');
    lines.push('');
    lines.push(
      '| CAPIG_WORKERS | gateway processes | events/s | p99 ms | gateway CPU (cores) | PostgreSQL CPU (cores) | all PostgreSQL processes (cores) | gateway CPU s / 1,000 events | PostgreSQL CPU s / 1,000 events | events per core-second (gateway + PostgreSQL) | load generator CPU | machine busy |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of w.rows) {
      lines.push(
        `| ${r.workers} | ${r.gateway_processes} | ${fmt(r.events_per_s)} | ${fmt(r.p99_ms, 2)} | ${fmt(r.gateway_cores, 2)} | ` +
          `${fmt(r.postgres_cores, 2)} | ${fmt(r.postgres_all_cores, 2)} | ${fmt(r.gateway_cpu_s_per_1000, 3)} | ` +
          `${fmt(r.postgres_cpu_s_per_1000, 3)} | ${fmt(r.events_per_core_second)} | ${fmt(r.load_generator_cores, 2)} | ` +
          `${Math.round(r.machine_busy * 100)}% |`,
      );
    }
    lines.push('');
    if (w.speedup_2w_over_1w !== null) lines.push(`2 workers / 1 worker: ${fmt(w.speedup_2w_over_1w, 2)}x events/s.`);
    if (w.prediction) {
      lines.push('');
      lines.push(
        `**Per-core cost that predicts an ${w.prediction.cores}-core machine:** ${fmt(w.prediction.events_per_core_second)} events per core-second ` +
          `consumed by the gateway and PostgreSQL together (CAPIG_WORKERS=${w.prediction.basis_workers} run), so about ` +
          `${fmt(w.prediction.predicted_events_per_s)} durable single browser events/s on ${w.prediction.cores} cores. ` +
          `Assumptions: ${PREDICTION_ASSUMPTIONS}. "all PostgreSQL processes" is every process of the server, other databases' load included (shown for comparison).`,
      );
    }
  }
  const waitLines = [];
  for (const [key, r] of Object.entries(results.runs)) {
    if (!r.pg_waits) continue;
    const [who, what] = runLabel(key);
    const top = Object.entries(r.pg_waits)
      .slice(0, 5)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    waitLines.push(`- ${who}, ${what} (up to ${r.pg_sessions_max} sessions): ${top}`);
  }
  for (const [kind, d] of Object.entries(results.drains)) {
    if (!d.pg_waits) continue;
    const top = Object.entries(d.pg_waits)
      .slice(0, 5)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    waitLines.push(`- drain on ${STORE_LABEL[kind]} (up to ${d.pg_sessions_max} sessions): ${top}`);
  }
  if (waitLines.length) {
    lines.push('');
    lines.push(
      "What the gateway's PostgreSQL sessions were doing (pg_stat_activity every 50 ms; average sessions per sample in each state, " +
        '"active: CPU" = running a statement without waiting, "idle: Client:ClientRead" = waiting for the gateway):',
    );
    lines.push(...waitLines);
  }
  if (Object.keys(results.drains).length) {
    lines.push('');
    lines.push('## Backlog drain (publisher to the fake Graph API, CAPIG_PUBLISH_MAX_BATCH=1000)');
    lines.push('');
    lines.push(
      '| store | backlog | fill (POST /capi, batches of 1000) | drained | seconds | events/s | gateway CPU (cores) | PostgreSQL CPU | fake CPU | peak PSS MB | peak RSS MB |',
    );
    lines.push('|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const [kind, d] of Object.entries(results.drains)) {
      lines.push(
        `| ${STORE_LABEL[kind]} | ${fmt(d.queued_before ?? d.fill?.events ?? d.backlog)} | ` +
          `${d.fill ? `${fmt(d.fill.rate)} events/s (${d.fill.seconds} s, ${fmt(d.fill.memory?.peak_pss_mb)} MB PSS, ${fmt(d.fill.memory?.peak_rss_mb)} MB RSS)` : '–'} | ` +
          `${d.drained ? 'yes' : 'NO'} | ${fmt(d.seconds, 1)} | ${fmt(d.events_per_s)} | ${fmt(d.cpu?.cores.server, 2)} | ` +
          `${fmt(d.cpu?.cores.postgres, 2)} | ${fmt(d.cpu?.cores.fake, 2)} | ${fmt(d.memory?.peak_pss_mb)} | ${fmt(d.memory?.peak_rss_mb)} |`,
      );
    }
    lines.push('');
    lines.push(
      'Backlog: rows in event_queue after the fill. Drain time runs from the restarted gateway answering /health (publishing on) until ' +
        '`SELECT count(*) FROM event_queue` = 0 (counted when the fake Graph API has received the backlog, else every 5 s; ' +
        "on the embedded default through the server's Unix socket).",
    );
  }
  const gws = Object.entries(results.gateways).filter(([, g]) => g.memory && g.store);
  if (gws.length) {
    lines.push('');
    lines.push('## Memory of each gateway over its whole life (every process, sampled every 250 ms)');
    lines.push('');
    lines.push(
      "| gateway | store | processes seen (gateway / PostgreSQL) | peak PSS MB | peak RSS MB | at the PSS peak: gateway / PostgreSQL PSS MB | sum of each process's peak RSS MB | left after stop |",
    );
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const [name, g] of gws) {
      const mm = g.memory;
      const seen = mm.processes_seen ?? {};
      const at = mm.at_peak_pss ?? {};
      lines.push(
        `| ${name} | ${STORE_LABEL[g.store]}${g.workers ? `, CAPIG_WORKERS=${g.workers}` : ''} | ${seen.gateway ?? 0} / ${seen.postgres ?? 0} | ` +
          `${fmt(mm.peak_pss_mb)} | ${fmt(mm.peak_rss_mb)} | ${fmt(at.gateway?.pss_mb)} / ${fmt(at.postgres?.pss_mb)} | ` +
          `${fmt(mm.sum_of_process_peak_rss_mb)} | ${g.leftover.length + (g.server_left_after_stop ?? 0)} |`,
      );
    }
    lines.push('');
    lines.push(
      "From /health answering until the stop. On DATABASE_URL the PostgreSQL server is not the gateway's and is not counted. " +
        "The sum of each process's peak is an upper bound (the peaks need not coincide). " +
        '"Left after stop": processes of the gateway (workers, its PostgreSQL server) still running 10 s after it exited; the harness kills them.',
    );
  }
  const sanity = Object.entries(results.sanity);
  if (sanity.length || Object.keys(results.drains).length) {
    lines.push('');
    lines.push('## Checks');
    for (const [phase, s] of sanity) {
      lines.push(
        `- ${phase}: a browser and a server event were queued before the load; ` +
          `${fmt(s.delivery?.delivered_to_fake)} events reached the fake Graph API for ${fmt(s.delivery?.measured_acknowledged_at_least)} acknowledged ` +
          `(${s.delivery?.seconds_after_load} s after the load); gateway log lines at warn or above: ${s.warn_log_lines ?? '–'}; ` +
          `processes left after stop: ${s.left_after_stop ?? '–'}.`,
      );
    }
    for (const [kind, d] of Object.entries(results.drains)) {
      const left = (d.gateways ?? [])
        .map((n) => results.gateways[n])
        .filter(Boolean)
        .reduce((a, g) => a + g.leftover.length + (g.server_left_after_stop ?? 0), 0);
      lines.push(
        `- drain on ${STORE_LABEL[kind]}: gateway log lines at warn or above: ${d.warn_log_lines}; fake rejected events in the whole run: ${d.fake_rejected_total}; ` +
          `processes left after the fill and drain gateways stopped: ${left}.`,
      );
    }
  }
  if (results.notes.length) {
    lines.push('');
    for (const n of results.notes) lines.push(`- ${n}`);
  }
  if (results.profiles?.length) {
    lines.push('');
    lines.push(
      '## CPU profiles (node --cpu-prof; profiling slows the gateway, so do not read the numbers above from a --profile run)',
    );
    for (const p of results.profiles) {
      lines.push('');
      lines.push(`### ${p.file.split('/').pop()} (busy ${fmt(p.busy_ms)} ms of ${fmt(p.total_ms)} ms sampled)`);
      lines.push('');
      lines.push('| self time by place | % of busy |');
      lines.push('|---|---:|');
      for (const g of p.groups.slice(0, 12)) lines.push(`| ${g.name} | ${g.pct_of_busy ?? '–'} |`);
      lines.push('');
      lines.push('| top functions (self time) | % of busy |');
      lines.push('|---|---:|');
      for (const f of p.functions.slice(0, 15)) lines.push(`| \`${f.name}\` | ${f.pct_of_busy} |`);
    }
  }
  lines.push('');
  lines.push(
    `Total run time: ${results.total_seconds} s. Reproduce: \`npm run bench${results.config.mode === 'quick' ? ' -- --quick' : ''}\`.`,
  );
  lines.push('');
  return lines.join('\n');
}
