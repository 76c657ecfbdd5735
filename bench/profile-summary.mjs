#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, and self
// time grouped by where the code lives (our dist/, each package in node_modules, Node internals,
// GC, idle). Usage: node bench/profile-summary.mjs FILE.cpuprofile [--top 25] [--json]

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export function summarizeProfile(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? 0; // the delta after a sample is the time spent in it
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  let total = 0;
  const fns = new Map();
  const groups = new Map();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const cf = node.callFrame;
    const where = location(cf.url);
    const key = `${cf.functionName || '(anonymous)'} ${where}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const group = groupOf(cf);
    groups.set(group, (groups.get(group) ?? 0) + us);
  }
  const busy = total - (groups.get('(idle)') ?? 0);
  const rows = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        pct_of_busy: name === '(idle)' ? null : Math.round((us / busy) * 1000) / 10,
      }));
  return {
    file,
    total_ms: Math.round(total / 1000),
    busy_ms: Math.round(busy / 1000),
    functions: rows(fns)
      .filter((r) => r.name.split(' ')[0] !== '(idle)')
      .slice(0, top),
    groups: rows(groups),
  };
}

function location(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

function groupOf(cf) {
  const name = cf.functionName;
  if (!cf.url) {
    if (name === '(garbage collector)' || name === '(idle)' || name === '(program)' || name === '(root)') return name;
    return '(native/V8 builtins)';
  }
  const url = cf.url;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (url.startsWith('node:')) return 'node internals';
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return `capig ${url
      .slice(dist + 1)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  const src = url.indexOf('/src/');
  if (src >= 0)
    return `capig ${url
      .slice(src + 1)
      .split('/')
      .slice(0, 2)
      .join('/')}`;
  return url;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, json: { type: 'boolean', default: false } },
  });
  for (const file of positionals) {
    const s = summarizeProfile(file, Number(values.top));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      continue;
    }
    process.stdout.write(`\n${file}\n  sampled ${s.total_ms} ms, busy ${s.busy_ms} ms\n  by place:\n`);
    for (const g of s.groups.slice(0, 15))
      process.stdout.write(`    ${String(g.pct_of_busy ?? '-').padStart(5)}%  ${g.ms} ms  ${g.name}\n`);
    process.stdout.write('  top self time:\n');
    for (const f of s.functions)
      process.stdout.write(`    ${String(f.pct_of_busy).padStart(5)}%  ${f.ms} ms  ${f.name}\n`);
  }
}
