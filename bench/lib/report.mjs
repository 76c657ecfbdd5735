// The report: machine facts, the results table, the targets with PASS/MISS, as Markdown.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

export const TARGETS = {
  ceilingRatio: 0.4,
  peerRatio: 10,
  pacedP99Ms: 20,
  drainPerS: 20_000,
  rssMb: 300,
};

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

export function evaluateTargets(results) {
  const runs = results.runs;
  const bare = runs['bare/browser/saturation'];
  const peer = runs['peer/browser/saturation'];
  const out = [];
  for (const kind of ['pglite', 'postgres']) {
    const gw = runs[`gateway-${kind}/browser/saturation`];
    const paced = runs[`gateway-${kind}/browser/paced`];
    const drain = results.drains[kind];
    const label = kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
    if (gw && bare) {
      const ratio = gw.rps / bare.rps;
      out.push({
        target: `durable ingest, single browser events, >= ${TARGETS.ceilingRatio}x bare node:http`,
        store: label,
        value: `${fmt(ratio, 3)}x (${fmt(gw.rps)} / ${fmt(bare.rps)} req/s)`,
        pass: ratio >= TARGETS.ceilingRatio,
      });
    }
    if (gw && peer) {
      const ratio = gw.rps / peer.rps;
      out.push({
        target: `durable ingest, single browser events, >= ${TARGETS.peerRatio}x Express+SDK peer`,
        store: label,
        value: `${fmt(ratio, 1)}x (${fmt(gw.rps)} / ${fmt(peer.rps)} req/s)`,
        pass: ratio >= TARGETS.peerRatio,
      });
    }
    if (paced) {
      out.push({
        target: `p99 <= ${TARGETS.pacedP99Ms} ms at half of saturation (POST /events)`,
        store: label,
        value: `${fmt(paced.latency_ms.p99, 1)} ms at ${fmt(paced.target_rate)} req/s (${paced.errors} errors)`,
        pass: paced.latency_ms.p99 !== null && paced.latency_ms.p99 <= TARGETS.pacedP99Ms && paced.errors === 0,
      });
    }
    if (drain?.events_per_s !== undefined) {
      out.push({
        target: `backlog drain >= ${fmt(TARGETS.drainPerS)} events/s`,
        store: label,
        value:
          `${fmt(drain.events_per_s)} events/s (${fmt(drain.delivered)} events in ${drain.seconds} s` +
          `${drain.drained ? '' : ', not drained'}${drain.backlog < 1_000_000 ? '; backlog under the 1,000,000 the target is set for' : ''})`,
        pass: drain.drained && drain.events_per_s >= TARGETS.drainPerS,
      });
    }
    const rss = [gw?.peak_rss_mb, drain?.peak_rss_mb, drain?.fill?.rss_mb].filter((x) => typeof x === 'number');
    if (rss.length > 0) {
      const peak = Math.max(...rss);
      out.push({
        target: `gateway peak RSS < ${TARGETS.rssMb} MB under load`,
        store: label,
        value: `${fmt(peak)} MB (VmHWM${kind === 'postgres' ? '; PostgreSQL server processes not included' : '; includes the PGlite worker thread'})`,
        pass: peak < TARGETS.rssMb,
      });
    }
  }
  return out;
}

const RUN_LABELS = {
  'bare/browser/saturation': ['bare node:http 204 (ceiling)', 'POST /events, saturation'],
  'peer/browser/saturation': ['Express + business SDK (peer)', 'POST /events, saturation'],
};
function runLabel(key) {
  if (RUN_LABELS[key]) return RUN_LABELS[key];
  const [who, what, how] = key.split('/');
  const store = `capig on ${who.startsWith('gateway-pglite') ? 'PGlite' : 'PostgreSQL'}${who.endsWith('-nopub') ? ', CAPIG_PUBLISH=off' : ''}`;
  const route = what === 'browser' ? 'POST /events (1 browser event)' : `POST /capi, batch of ${what.split('-')[1]}`;
  const paced = who.endsWith('-nopub') ? "paced at the publishing run's rate" : 'paced at ½ saturation';
  return [store, `${route}, ${how === 'paced' ? paced : 'saturation'}`];
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
      `Node ${m.node}; PostgreSQL ${m.postgres ?? 'not available'}; ${m.wrk}; peer: express ${m.peer?.express ?? '–'}, ` +
      `facebook-nodejs-business-sdk ${m.peer?.['facebook-nodejs-business-sdk'] ?? '–'}. ` +
      `Load generator pinned to core ${m.load_generator_core ?? '(not pinned)'}; load average at start ${m.loadavg_at_start.join(' ')}; ` +
      `machine ${Math.round((m.busy_before_run ?? 0) * 100)}% busy in the 3 s before the run.`,
  );
  lines.push('');
  lines.push('## Ingest');
  lines.push('');
  lines.push(
    '| server | load | req/s | events/s | p50 ms | p99 ms | max ms | errors | server CPU (cores) | PostgreSQL CPU | load generator CPU | machine busy | peak RSS MB |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [key, r] of Object.entries(results.runs)) {
    const [who, what] = runLabel(key);
    lines.push(
      `| ${who} | ${what} | ${fmt(r.rps)} | ${fmt(r.events_per_s)} | ${fmt(r.latency_ms.p50, 2)} | ${fmt(r.latency_ms.p99, 2)} | ` +
        `${fmt(r.latency_ms.max, 1)} | ${r.errors} | ${fmt(r.cpu?.cores.server, 2)} | ${fmt(r.cpu?.cores.postgres, 2)} | ` +
        `${fmt(r.load_generator_cores, 2)} | ` +
        `${r.cpu ? `${Math.round(r.cpu.machine_busy * 100)}%` : '–'} | ${fmt(r.peak_rss_mb)} |`,
    );
  }
  lines.push('');
  lines.push(
    'Saturation: `wrk -t1 -c' +
      `${results.config.connections} -d${results.config.satSeconds}s\` after a ${results.config.satWarmup} s warm-up, every event with a unique event_id. ` +
      `Paced: bench/paced-load.mjs (open loop, latency from the scheduled send time) for ${results.config.pacedSeconds} s after a ${results.config.pacedWarmup} s warm-up. ` +
      'Peak RSS: VmHWM of the server process at the end of its runs (for the gateway, over all four of its runs).',
  );
  const bare = results.runs['bare/browser/saturation'];
  const peer = results.runs['peer/browser/saturation'];
  const ratioLines = [];
  for (const kind of ['pglite', 'postgres']) {
    const gw = results.runs[`gateway-${kind}/browser/saturation`];
    if (!gw) continue;
    const parts = [];
    if (bare) parts.push(`${fmt(gw.rps / bare.rps, 3)}x the bare ceiling`);
    if (peer) parts.push(`${fmt(gw.rps / peer.rps, 1)}x the Express+SDK peer`);
    if (parts.length)
      ratioLines.push(`- capig on ${kind === 'pglite' ? 'PGlite' : 'PostgreSQL'}, POST /events: ${parts.join(', ')}`);
  }
  if (ratioLines.length) {
    lines.push('');
    lines.push('Ratios (single browser events at saturation):');
    lines.push(...ratioLines);
  }
  const waitLines = [];
  for (const [key, r] of Object.entries(results.runs)) {
    if (!r.pg_waits) continue;
    const [who, what] = runLabel(key);
    const top = Object.entries(r.pg_waits)
      .slice(0, 5)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    waitLines.push(`- ${who}, ${what}: ${top}`);
  }
  for (const [kind, d] of Object.entries(results.drains)) {
    if (!d.pg_waits) continue;
    const top = Object.entries(d.pg_waits)
      .slice(0, 5)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    waitLines.push(`- drain on ${kind}: ${top}`);
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
      '| store | backlog | fill (POST /capi, batches of 1000) | drained | seconds | events/s | gateway CPU (cores) | PostgreSQL CPU | fake CPU | peak RSS MB |',
    );
    lines.push('|---|---:|---|---|---:|---:|---:|---:|---:|---:|');
    for (const [kind, d] of Object.entries(results.drains)) {
      lines.push(
        `| ${kind === 'pglite' ? 'PGlite' : 'PostgreSQL'} | ${fmt(d.fill?.events ?? d.backlog)} | ` +
          `${d.fill ? `${fmt(d.fill.rate)} events/s (${d.fill.seconds} s, RSS ${fmt(d.fill.rss_mb)} MB)` : '–'} | ` +
          `${d.drained ? 'yes' : 'NO'} | ${fmt(d.seconds, 1)} | ${fmt(d.events_per_s)} | ${fmt(d.cpu?.cores.server, 2)} | ` +
          `${fmt(d.cpu?.cores.postgres, 2)} | ${fmt(d.cpu?.cores.fake, 2)} | ${fmt(d.peak_rss_mb)} |`,
      );
    }
    lines.push('');
    lines.push(
      'Drain time runs from the restarted gateway answering /health (publishing on) until the queue is empty ' +
        '(PostgreSQL: `SELECT count(*) FROM event_queue` = 0, polled every second; PGlite: the fake Graph API counted every backlog event).',
    );
  }
  lines.push('');
  lines.push('## Targets');
  lines.push('');
  lines.push('| target | store | measured | result |');
  lines.push('|---|---|---|---|');
  for (const t of results.targets)
    lines.push(`| ${t.target} | ${t.store} | ${t.value} | **${t.pass ? 'PASS' : 'MISS'}** |`);
  const sanity = Object.entries(results.sanity);
  if (sanity.length) {
    lines.push('');
    lines.push('## Checks');
    for (const [kind, s] of sanity) {
      lines.push(
        `- ${kind}: a browser and a server event were queued before the load; ` +
          `${fmt(s.delivery?.delivered_to_fake)} events reached the fake Graph API for ${fmt(s.delivery?.measured_acknowledged_at_least)} acknowledged ` +
          `(${s.delivery?.seconds_after_load} s after the load); gateway log lines at warn or above: ${s.warn_log_lines ?? '–'}.`,
      );
    }
    for (const [kind, d] of Object.entries(results.drains)) {
      lines.push(
        `- drain on ${kind}: gateway log lines at warn or above: ${d.warn_log_lines}; fake rejected events in the whole run: ${d.fake_rejected_total}.`,
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
