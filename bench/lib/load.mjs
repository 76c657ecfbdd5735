// The load: request bodies (templates in which every __ID__ becomes a unique id), wrk for
// saturation (closed loop, pinned to one core) and bench/paced-load.mjs for a fixed rate (open loop).

import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './procs.mjs';

const BENCH_DIR = new URL('..', import.meta.url).pathname;

export const PIXEL_ID = '1234567890';
export const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
export const ORIGIN = 'https://shop.example.com';

/** A browser event as the Meta Pixel's gateway plugin sends it (test/harness.ts browserEvent()). */
function browserEvent() {
  return {
    event_name: 'PageView',
    event_id: 'ob3_plugin-set___ID__',
    'fb.pixel_id': PIXEL_ID,
    custom_data: {},
    'fb.dynamic_product_ads': {},
    conversion_value: {},
    'fb.advanced_matching': {},
    'fb.fbp': `fb.1.${Date.now()}.1234567890`,
    'plugin.oneTrustId': '',
    website_context: { location: 'https://shop.example.com/product/1', referrer: '', isInIFrame: false },
    event_meta_info: {},
  };
}

/** A server event as an advertiser's backend sends it (test/harness.ts serverEvent()). */
function serverEvent() {
  return {
    event_name: 'Purchase',
    event_time: Math.floor(Date.now() / 1000),
    event_id: 'order-__ID__',
    action_source: 'website',
    event_source_url: 'https://shop.example.com/checkout',
    user_data: {
      em: 'John_Smith@gmail.com',
      client_user_agent: 'Mozilla/5.0 (Server)',
      client_ip_address: '203.0.113.7',
    },
    custom_data: { value: 42.5, currency: 'USD' },
  };
}

/** Writes the body templates into dir; returns their paths. */
export function writeTemplates(dir) {
  const files = {
    browser: join(dir, 'browser-event.json'),
    capi1: join(dir, 'capi-1.json'),
    capi100: join(dir, 'capi-100.json'),
    capi1000: join(dir, 'capi-1000.json'),
  };
  writeFileSync(files.browser, JSON.stringify(browserEvent()));
  const batch = (n) => JSON.stringify({ data: Array.from({ length: n }, serverEvent) });
  writeFileSync(files.capi1, batch(1));
  writeFileSync(files.capi100, batch(100));
  writeFileSync(files.capi1000, batch(1000));
  return files;
}

/** Pin the load generator to the last core when there are at least two. */
export function pinned(command, args) {
  const cores = availableParallelism();
  if (cores < 2) return { command, args, core: null };
  const core = cores - 1;
  return { command: 'taskset', args: ['-c', String(core), command, ...args], core };
}

/**
 * Saturation: wrk, one thread, `connections` keep-alive connections, for `seconds`.
 * Returns { requests, rps, latency_ms: {p50, p90, p99, p999, max}, errors }.
 */
export async function runWrk({ url, template, prefix, headers = [], seconds, connections = 64, logFile }) {
  const wrkArgs = [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '-s',
    join(BENCH_DIR, 'wrk/post.lua'),
    url,
    '--',
    template,
    prefix,
    ...headers,
  ];
  const { command, args } = pinned('wrk', wrkArgs);
  const { stdout, cores } = await runCommand(command, args, {
    logFile,
    timeoutMs: (seconds + 30) * 1000,
    trackCpu: true,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const r = JSON.parse(line.slice('WRK_JSON '.length));
  const errors = r.errors.connect + r.errors.read + r.errors.write + r.errors.status + r.errors.timeout;
  return {
    requests: r.requests,
    seconds: r.duration_us / 1e6,
    rps: Math.round(r.requests / (r.duration_us / 1e6)),
    latency_ms: percentilesMs(r.latency_us),
    errors,
    error_detail: r.errors,
    connections,
    load_generator_cores: cores,
  };
}

/** Fixed rate: bench/paced-load.mjs (open loop, latency from the scheduled send time). */
export async function runPaced({
  url,
  template,
  prefix,
  headers = [],
  rate,
  seconds,
  warmup,
  connections = 64,
  logFile,
}) {
  const pacedArgs = [
    join(BENCH_DIR, 'paced-load.mjs'),
    '--url',
    url,
    '--rate',
    String(rate),
    '--duration',
    String(seconds),
    '--warmup',
    String(warmup),
    '--template',
    template,
    '--prefix',
    prefix,
    '--connections',
    String(connections),
    ...headers.flatMap((h) => ['--header', h]),
  ];
  const { command, args } = pinned(process.execPath, pacedArgs);
  const { stdout, cores } = await runCommand(command, args, {
    logFile,
    timeoutMs: (seconds + warmup + 60) * 1000,
    trackCpu: true,
  });
  const r = JSON.parse(stdout.trim().split('\n').pop());
  return {
    target_rate: r.target_rate,
    rps: r.achieved_rate,
    requests: r.scheduled,
    ok: r.ok,
    warmup_ok: r.warmup_ok,
    errors: r.non2xx + r.errors + r.unfinished,
    statuses: r.statuses,
    max_send_lag_ms: ms(r.max_send_lag_us),
    latency_ms: percentilesMs(r.latency_us),
    service_ms: { p50: ms(r.service_us.p50), p99: ms(r.service_us.p99) },
    load_generator_cores: cores,
  };
}

/** Microseconds to milliseconds with two decimals; null stays null (nothing was measured). */
function ms(us) {
  return us === null ? null : Math.round(us / 10) / 100;
}

/** The latency percentiles both generators print (µs), in ms. */
function percentilesMs(us) {
  return { p50: ms(us.p50), p90: ms(us.p90), p99: ms(us.p99), p999: ms(us.p999), max: ms(us.max) };
}
