// Child processes for the benchmark: started with their output in a log file, tracked, and
// killed on every way out (normal end, error, Ctrl-C), so no server outlives the run or keeps a port.

import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const live = new Set();

function killAll(signal = 'SIGKILL') {
  for (const child of live) {
    try {
      child.kill(signal);
    } catch {
      // already gone
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

/** Samples a process's RSS every intervalMs; stop() returns the highest value seen, in MB. */
export function rssSampler(pid, intervalMs = 200) {
  let max = 0;
  const take = () => {
    const kb = procStatusKb(pid, 'VmRSS');
    if (kb !== null && kb > max) max = kb;
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return Math.round(max / 1024);
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (clock ticks; 100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function systemJiffies() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Measures CPU use over an interval: for each group (a function returning pids, maybe async) the
 * cores it used on average, and how busy the whole machine was (0..1, all cores).
 */
export async function startCpuMeter(groups) {
  const snap = async () => {
    const out = {};
    for (const [name, pids] of Object.entries(groups)) {
      const m = new Map();
      for (const pid of await pids()) m.set(pid, cpuSeconds(pid));
      out[name] = m;
    }
    return out;
  };
  const before = await snap();
  const sysBefore = systemJiffies();
  const t0 = performance.now();
  return {
    async stop() {
      const seconds = (performance.now() - t0) / 1000;
      const after = await snap();
      const sysAfter = systemJiffies();
      const cores = {};
      for (const name of Object.keys(groups)) {
        let used = 0;
        for (const [pid, end] of after[name]) {
          if (end === null) continue;
          used += end - (before[name].get(pid) ?? 0);
        }
        cores[name] = Math.round((used / seconds) * 100) / 100;
      }
      const busy = (sysAfter.busy - sysBefore.busy) / Math.max(1, sysAfter.total - sysBefore.total);
      return { cores, machine_busy: Math.round(busy * 100) / 100, seconds: Math.round(seconds * 10) / 10 };
    },
  };
}
