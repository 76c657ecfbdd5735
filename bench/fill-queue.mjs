#!/usr/bin/env node
// Fills the gateway's queue for the drain measurement: POSTs batches (a template whose every
// __ID__ becomes a unique id) with `concurrency` requests in flight until `events` events were
// acknowledged (2xx). Prints one JSON line: events acknowledged, seconds, events/s, failures.
//
// node bench/fill-queue.mjs --url http://127.0.0.1:8080/capi/1234567890/events \
//   --template capi-1000.json --events 1000000 --header "authorization: Bearer KEY" [--concurrency 4]

import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { bodyTemplate, requestHeaders } from './lib/bodies.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    template: { type: 'string' },
    events: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    prefix: { type: 'string', default: `fill-${Date.now()}-` },
    header: { type: 'string', multiple: true, default: [] },
  },
});
if (!values.url || !values.template || !values.events) {
  process.stderr.write('usage: fill-queue.mjs --url URL --template FILE --events N [--concurrency C]\n');
  process.exit(2);
}
const url = new URL(values.url);
const target = Number(values.events);
const template = bodyTemplate(values.template, values.prefix);
const perRequest = template.idsPerBody;
const headers = requestHeaders(values.header);

const pool = new Pool(url.origin, { connections: Number(values.concurrency), headersTimeout: 60_000 });
let acknowledged = 0;
let issued = 0;
let failures = 0;
let lastError = '';
const started = performance.now();

async function worker() {
  while (issued < target && failures < 50) {
    issued += perRequest;
    try {
      const res = await pool.request({ path: url.pathname, method: 'POST', headers, body: template.next() });
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) acknowledged += perRequest;
      else {
        failures++;
        issued -= perRequest;
        lastError = `${res.statusCode} ${text.slice(0, 300)}`;
      }
    } catch (err) {
      failures++;
      issued -= perRequest;
      lastError = err.message;
    }
  }
}
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
const seconds = (performance.now() - started) / 1000;
await pool.close();
process.stdout.write(
  `${JSON.stringify({ events: acknowledged, seconds: Math.round(seconds * 100) / 100, rate: Math.round(acknowledged / seconds), failures, last_error: lastError || undefined })}\n`,
);
process.exit(acknowledged >= target ? 0 : 1);
