#!/usr/bin/env node
// Open-loop load at a fixed rate (Debian has no wrk2). Request i is due at start + i/rate and is
// sent then whether or not earlier requests have been answered; its latency is measured from that
// scheduled time, not from when a connection became free, so a server that falls behind shows its
// queueing in the percentiles instead of hiding it (no coordinated omission).
//
// node bench/paced-load.mjs --url http://127.0.0.1:8080/events --rate 5000 --duration 10 --warmup 2 \
//   --template body.json --prefix run1- [--connections 64] [--header "authorization: Bearer k"]
// Every __ID__ in the template becomes <prefix><counter>. Prints one JSON line (latencies in µs).

import { createHistogram, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { bodyTemplate, requestHeaders } from './lib/bodies.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    template: { type: 'string' },
    prefix: { type: 'string', default: `paced-${Date.now()}-` },
    connections: { type: 'string', default: '64' },
    header: { type: 'string', multiple: true, default: [] },
    'timeout-ms': { type: 'string', default: '10000' },
  },
});
if (!values.url || !values.rate || !values.template) {
  process.stderr.write('usage: paced-load.mjs --url URL --rate N --template FILE [--duration S] [--prefix P]\n');
  process.exit(2);
}

const url = new URL(values.url);
const rate = Number(values.rate);
// The first `warmup` seconds are sent at the same rate but not recorded (JIT, connection set-up).
const warmupMs = Number(values.warmup) * 1000;
const durationMs = warmupMs + Number(values.duration) * 1000;
const timeoutMs = Number(values['timeout-ms']);
const template = bodyTemplate(values.template, values.prefix);
const headers = requestHeaders(values.header);

const pool = new Pool(url.origin, {
  connections: Number(values.connections),
  pipelining: 1,
  keepAliveTimeout: 60_000,
  headersTimeout: timeoutMs,
  bodyTimeout: timeoutMs,
});
// Latency from scheduled send time, in microseconds (1 µs .. 60 s, 3 significant digits).
const latency = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
// Time from actual send to answer (service time, what a closed-loop tool would report).
const service = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
const stats = { scheduled: 0, completed: 0, ok: 0, non2xx: 0, errors: 0, maxSendLagUs: 0, warmupOk: 0 };
const statusCounts = {};
let inFlight = 0;

function fire(dueAt) {
  const measured = dueAt >= start + warmupMs;
  if (measured) stats.scheduled++;
  inFlight++;
  const sentAt = performance.now();
  const lag = (sentAt - dueAt) * 1000;
  if (measured && lag > stats.maxSendLagUs) stats.maxSendLagUs = Math.round(lag);
  pool
    .request({ path: url.pathname + url.search, method: 'POST', headers, body: template.next() })
    .then(async (res) => {
      await res.body.dump();
      if (!measured) {
        if (res.statusCode >= 200 && res.statusCode < 300) stats.warmupOk++;
        return;
      }
      statusCounts[res.statusCode] = (statusCounts[res.statusCode] ?? 0) + 1;
      if (res.statusCode >= 200 && res.statusCode < 300) stats.ok++;
      else stats.non2xx++;
    })
    .catch(() => {
      if (measured) stats.errors++;
    })
    .finally(() => {
      inFlight--;
      if (!measured) return;
      const now = performance.now();
      latency.record(Math.max(1, Math.round((now - dueAt) * 1000)));
      service.record(Math.max(1, Math.round((now - sentAt) * 1000)));
      stats.completed++;
    });
}

const start = performance.now() + 20;
const interval = 1000 / rate;
let next = 0; // index of the next request to schedule
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    const elapsed = now - start;
    if (elapsed >= durationMs) {
      // Send what was still due up to the end, then stop scheduling.
      const total = Math.floor(durationMs / interval);
      while (next < total) fire(start + next++ * interval);
      resolve();
      return;
    }
    if (elapsed >= 0) {
      const due = Math.floor(elapsed / interval) + 1;
      while (next < due) fire(start + next++ * interval);
    }
    setTimeout(tick, 1);
  };
  tick();
});

// Let the last requests finish (they still count, with their full latency).
const deadline = performance.now() + timeoutMs;
while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
const elapsedMs = performance.now() - start;
await pool.close().catch(() => {});

const pct = (h, p) => (h.count > 0 ? h.percentile(p) : null);
process.stdout.write(
  `${JSON.stringify({
    target_rate: rate,
    duration_s: (durationMs - warmupMs) / 1000,
    warmup_s: warmupMs / 1000,
    scheduled: stats.scheduled,
    completed: stats.completed,
    ok: stats.ok,
    warmup_ok: stats.warmupOk,
    non2xx: stats.non2xx,
    errors: stats.errors,
    unfinished: inFlight,
    statuses: statusCounts,
    achieved_rate: Math.round((stats.ok / (durationMs - warmupMs)) * 1000),
    drain_ms: Math.round(elapsedMs - durationMs),
    max_send_lag_us: stats.maxSendLagUs,
    latency_us: {
      p50: pct(latency, 50),
      p90: pct(latency, 90),
      p99: pct(latency, 99),
      p999: pct(latency, 99.9),
      max: latency.count > 0 ? latency.max : null,
    },
    service_us: { p50: pct(service, 50), p99: pct(service, 99) },
  })}\n`,
);
process.exit(0);
