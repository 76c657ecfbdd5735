// Child processes for the benchmark: started with their output in a log file, tracked, and
// killed on every way out (normal end, error, Ctrl-C), so no server outlives the run or keeps a port.

import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const live = new Set();
// Processes the harness did not spawn itself but must not leave behind: a gateway's cluster workers
// and its embedded PostgreSQL server (a detached child of the gateway, so it outlives a SIGKILL of
// it). Each entry is a function giving pids, asked before anything is killed. Then sync cleanups
// (temporary data directories).
const extraPids = new Set();
const exitCleanups = new Set();

/** Registers a function giving pids to SIGKILL when the harness exits; returns an unregister. */
export function killOnExit(pidsFn) {
  extraPids.add(pidsFn);
  return () => extraPids.delete(pidsFn);
}

/** Registers a synchronous cleanup to run when the harness exits; returns an unregister. */
export function cleanupOnExit(fn) {
  exitCleanups.add(fn);
  return () => exitCleanups.delete(fn);
}

function killAll(signal = 'SIGKILL') {
  const extra = [];
  for (const fn of extraPids) {
    try {
      extra.push(...fn());
    } catch {
      // best effort
    }
  }
  for (const child of live) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
  for (const pid of extra) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
  for (const fn of exitCleanups) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
}
process.on('exit', () => killAll());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, stopping every process it started\n`);
    killAll();
    process.exit(130);
  });
}

/**
 * Starts a long-running process. Its stdout and stderr go to logFile. Returns a handle with the
 * pid (of the node process itself: no shell in between, so /proc/<pid> is the server) and stop().
 */
export function startProcess(name, command, args, { env, cwd, logFile }) {
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n# ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  child.stdout.on('data', (d) => {
    if (stdout.length < 64 * 1024) stdout += d;
    log.write(d);
  });
  child.stderr.on('data', (d) => log.write(d));
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      log.end(`# exit code=${code} signal=${signal}\n`);
      resolve({ code, signal });
    });
  });
  let exitInfo = null;
  exited.then((info) => {
    exitInfo = info;
  });
  return {
    name,
    pid: child.pid,
    get exited() {
      return exitInfo;
    },
    stdout: () => stdout,
    waitExit: () => exited,
    /** SIGTERM, then SIGKILL after graceMs. */
    async stop(graceMs = 15_000) {
      if (exitInfo) return exitInfo;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
}

/** Runs a command to completion; resolves with its output (rejects on a non-zero exit). */
export function runCommand(command, args, { env, cwd, logFile, timeoutMs = 600_000, trackCpu = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    // CPU the command used (sampled until it exits: /proc/<pid> is gone afterwards).
    const started = performance.now();
    let cpu = 0;
    const cpuTimer = trackCpu
      ? setInterval(() => {
          const c = cpuSeconds(child.pid);
          if (c !== null) cpu = c;
        }, 100)
      : null;
    const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
    log?.write(`\n# ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      log?.write(d);
    });
    child.stderr.on('data', (d) => {
      err += d;
      log?.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      if (cpuTimer) clearInterval(cpuTimer);
      live.delete(child);
      log?.end();
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (cpuTimer) clearInterval(cpuTimer);
      live.delete(child);
      log?.end(`# exit code=${code} signal=${signal}\n`);
      const cores = trackCpu ? Math.round((cpu / ((performance.now() - started) / 1000)) * 100) / 100 : undefined;
      if (code === 0) resolve({ stdout: out, stderr: err, cores });
      else {
        const e = new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}: ${err.slice(-2000)}`);
        e.stdout = out;
        e.stderr = err;
        reject(e);
      }
    });
  });
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls url until it answers 2xx (or the process died, or timeoutMs passed). */
export async function waitHttp(url, { timeoutMs = 60_000, proc } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc?.exited) throw new Error(`${proc.name} exited (${JSON.stringify(proc.exited)}) before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

/** kB values of a /proc/<pid>/status field (VmHWM = peak RSS, VmRSS = current), or null. */
export function procStatusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const HZ = 100;

/**
 * Every process on the machine from /proc/<pid>/stat: pid -> { pid, ppid, start (clock ticks after
 * boot, so pid + start names one process even if the pid is reused), cpu (seconds, user + system),
 * comm }. One scan serves every sampler for 50 ms.
 */
let scanCache = { at: 0, table: null };
export function scanProcs(maxAgeMs = 50) {
  const now = performance.now();
  if (scanCache.table && now - scanCache.at < maxAgeMs) return scanCache.table;
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 57) continue;
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const p = readStat(pid);
    if (p) table.set(pid, p);
  }
  scanCache = { at: now, table };
  return table;
}

function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    // f[1] = ppid, f[11] = utime, f[12] = stime, f[19] = starttime
    return {
      pid,
      ppid: Number(f[1]),
      cpu: (Number(f[11]) + Number(f[12])) / HZ,
      start: Number(f[19]),
      comm: stat.slice(stat.indexOf('(') + 1, close),
    };
  } catch {
    return null;
  }
}

/** The pids of roots and of all their descendants, in a scan. */
export function descendants(table, roots) {
  const children = new Map();
  for (const p of table.values()) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p.pid);
  }
  const out = new Set();
  const stack = roots.filter((pid) => table.has(pid));
  while (stack.length) {
    const pid = stack.pop();
    if (out.has(pid)) continue;
    out.add(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

/** A process's identity in a scan: pid and start time (a reused pid is another process). */
export const procKey = (p) => `${p.pid}:${p.start}`;

/** Whether the process named by key (from procKey) still runs. */
export function stillRunning(key) {
  const [pid, start] = key.split(':').map(Number);
  const p = readStat(pid);
  return p !== null && p.start === start;
}

/** Clock ticks since boot now, comparable with a process's start. */
function ticksNow() {
  return Number.parseFloat(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * HZ;
}

/** Rss and Pss in kB of one process, from /proc/<pid>/smaps_rollup (null when it is gone). */
export function memoryKb(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rss = /^Rss:\s+(\d+) kB/m.exec(text);
    const pss = /^Pss:\s+(\d+) kB/m.exec(text);
    if (!rss) return null;
    return { rss: Number(rss[1]), pss: pss ? Number(pss[1]) : Number(rss[1]) };
  } catch {
    return null;
  }
}

const mb = (kb) => Math.round(kb / 1024);

/**
 * Samples the memory of a set of processes every intervalMs. discover() gives the set anew at every
 * sample, as { role: [pids] } (roles such as node and postgres), so processes that start later (a
 * cluster worker, a PostgreSQL backend) are counted. Per sample it sums Rss and Pss (Pss shares each
 * shared page among the processes mapping it, so PostgreSQL's shared buffers count once, not once
 * per backend) over every process; the peaks are the highest sums seen, overall and in the current
 * window (startWindow() .. endWindow(), one measured run).
 */
export function memorySampler(discover, intervalMs = 250) {
  const fresh = () => ({ rss: 0, pss: 0, at_peak: null, samples: 0, procs: 0 });
  const overall = fresh();
  let win = null;
  const peakPerProcess = new Map();
  const roleOf = new Map();
  let lastKeys = new Set();
  let stopped = false;
  const take = async () => {
    let groups;
    try {
      groups = await discover();
    } catch {
      return;
    }
    const table = scanProcs();
    let rss = 0;
    let pss = 0;
    const byRole = {};
    const keys = new Set();
    let procs = 0;
    for (const [role, pids] of Object.entries(groups)) {
      const r = { rss: 0, pss: 0, procs: 0 };
      for (const pid of pids) {
        const m = memoryKb(pid);
        if (!m) continue;
        const p = table.get(pid);
        const key = p ? procKey(p) : `${pid}:?`;
        keys.add(key);
        roleOf.set(key, role);
        peakPerProcess.set(key, Math.max(peakPerProcess.get(key) ?? 0, m.rss));
        r.rss += m.rss;
        r.pss += m.pss;
        r.procs++;
      }
      rss += r.rss;
      pss += r.pss;
      procs += r.procs;
      byRole[role] = { rss_mb: mb(r.rss), pss_mb: mb(r.pss), processes: r.procs };
    }
    lastKeys = keys;
    for (const acc of [overall, win]) {
      if (!acc) continue;
      acc.samples++;
      acc.procs = Math.max(acc.procs, procs);
      if (rss > acc.rss) acc.rss = rss;
      if (pss > acc.pss) {
        acc.pss = pss;
        acc.at_peak = byRole;
      }
    }
  };
  let running = take();
  const timer = setInterval(() => {
    if (!stopped) running = running.then(take);
  }, intervalMs);
  const summary = (acc) => ({
    peak_pss_mb: mb(acc.pss),
    peak_rss_mb: mb(acc.rss),
    max_processes: acc.procs,
    samples: acc.samples,
    at_peak_pss: acc.at_peak,
  });
  return {
    startWindow() {
      win = fresh();
      running = running.then(take);
      return running;
    },
    async endWindow() {
      running = running.then(take);
      await running;
      const out = win ? summary(win) : null;
      win = null;
      return out;
    },
    /** The processes of the last sample (pid:start keys), to check they are gone after a stop. */
    lastKeys: () => lastKeys,
    async stop() {
      running = running.then(take);
      await running;
      stopped = true;
      clearInterval(timer);
      const out = summary(overall);
      // Sum of each process's own peak (not simultaneous: an upper bound of the peak sum).
      let sum = 0;
      const perRole = {};
      for (const [key, kb] of peakPerProcess) {
        sum += kb;
        const role = roleOf.get(key);
        perRole[role] = (perRole[role] ?? 0) + 1;
      }
      out.sum_of_process_peak_rss_mb = mb(sum);
      out.processes_seen = perRole;
      return out;
    },
  };
}

/**
 * Measures CPU use over an interval: for each group (a function returning pids, maybe async, asked
 * anew every intervalMs so processes that start or end meanwhile are counted) the CPU seconds and
 * cores it used, and how busy the whole machine was (0..1, all cores). A process that started after
 * the meter counts from zero; one that ends loses at most its last interval.
 */
export async function startCpuMeter(groups, intervalMs = 250) {
  const startTicks = ticksNow();
  const seen = Object.fromEntries(Object.keys(groups).map((name) => [name, new Map()]));
  const tick = async (fresh = false) => {
    // One scan per tick, taken first, serves the groups' discovery and the CPU times.
    const table = scanProcs(fresh ? 0 : 50);
    const lists = {};
    for (const [name, fn] of Object.entries(groups)) {
      try {
        lists[name] = await fn();
      } catch {
        lists[name] = [];
      }
    }
    for (const [name, pids] of Object.entries(lists)) {
      const m = seen[name];
      for (const pid of pids) {
        const p = table.get(pid);
        if (!p) continue;
        const key = procKey(p);
        const entry = m.get(key);
        if (entry) entry.last = p.cpu;
        else m.set(key, { first: p.start >= startTicks ? 0 : p.cpu, last: p.cpu });
      }
    }
  };
  await tick(true);
  const sysBefore = systemJiffies();
  const t0 = performance.now();
  let running = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (!stopped) running = running.then(tick);
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await tick(true);
      const seconds = (performance.now() - t0) / 1000;
      const sysAfter = systemJiffies();
      const cores = {};
      const cpuSecondsOut = {};
      const processes = {};
      for (const name of Object.keys(groups)) {
        let used = 0;
        for (const { first, last } of seen[name].values()) used += last - first;
        cpuSecondsOut[name] = Math.round(used * 100) / 100;
        cores[name] = Math.round((used / seconds) * 100) / 100;
        processes[name] = seen[name].size;
      }
      const busy = (sysAfter.busy - sysBefore.busy) / Math.max(1, sysAfter.total - sysBefore.total);
      return {
        cores,
        cpu_seconds: cpuSecondsOut,
        processes,
        machine_busy: Math.round(busy * 100) / 100,
        seconds: Math.round(seconds * 10) / 10,
      };
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  return readStat(pid)?.cpu ?? null;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function systemJiffies() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
