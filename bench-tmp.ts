import { openPgliteDb } from './src/database/pglite-db.js';
import { migratedPgliteImage } from './test/harness.js';
const db = await openPgliteDb(null, { loadDataDir: await migratedPgliteImage() });
await db.query(`INSERT INTO tenants (id, name) VALUES ('t','t')`);
await db.query(`INSERT INTO pixels (pixel_id, tenant_id, access_key_enc) VALUES ('1','t','x')`);
const n = 64;
const ev = JSON.stringify({ event_name: 'PageView', event_time: 1, user_data: { em: 'a'.repeat(64), client_user_agent: 'Mozilla/5.0 ...', fbp: 'fb.1.1.1' }, event_source_url: 'https://shop.example.com/x', action_source: 'website', event_id: 'x' });
async function time(label: string, f: () => Promise<unknown>) { const t = performance.now(); for (let i = 0; i < 20; i++) await f(); console.log(label, ((performance.now() - t) / 20).toFixed(2), 'ms'); }
let k = 0;
await time('dedup insert 64', () => db.query(`INSERT INTO dedup_keys (pixel_id, event_name, event_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (pixel_id, event_name, event_id) DO UPDATE SET seen_at = now() WHERE dedup_keys.seen_at < now() - interval '48 hours' RETURNING pixel_id`, [Array(n).fill('1'), Array(n).fill('PageView'), Array.from({length:n},()=>String(k++))]));
await time('queue insert 64', () => db.query(`INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, domain, test_event_code) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::int8[], $6::text[], $7::text[])`, [Array(n).fill('1'), Array(n).fill('t'), Array(n).fill(ev), Array(n).fill('PageView'), Array(n).fill(1), Array(n).fill('d'), Array(n).fill('')]));
await time('metrics upsert 1', () => db.query(`INSERT INTO event_metrics (tenant_id, pixel_id, minute, event_name, domain, outcome, count) SELECT t, p, date_trunc('minute', now()), n, d, o, c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS x(t, p, n, d, o, c) ON CONFLICT (tenant_id, pixel_id, minute, event_name, domain, outcome) DO UPDATE SET count = event_metrics.count + excluded.count`, [['t'],['1'],['PageView'],['d'],['received'],[64]]));
await time('pixels update', () => db.query(`UPDATE pixels p SET received_total = p.received_total + x.r FROM unnest($1::text[], $2::bigint[]) AS x(id, r) WHERE p.pixel_id = x.id`, [['1'],[64]]));
await time('tx empty', () => db.transaction(async (tx) => { await tx.query('select 1'); }));
await time('select 1', () => db.query('select 1'));
