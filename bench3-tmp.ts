import { openPgliteDb } from './src/database/pglite-db.js';
import { migratedPgliteImage } from './test/harness.js';
const db = await openPgliteDb(null, { loadDataDir: await migratedPgliteImage() });
const n = 64;
const evObj = { event_name: 'PageView', event_time: 1, user_data: { em: 'a'.repeat(64), client_user_agent: 'Mozilla/5.0 ...', fbp: 'fb.1.1.1' }, event_source_url: 'https://shop.example.com/x', action_source: 'website', event_id: 'x' };
const ev = JSON.stringify(evObj);
async function time(label: string, f: () => Promise<unknown>) { for (let i=0;i<10;i++) await f(); const t = performance.now(); for (let i = 0; i < 50; i++) await f(); console.log(label, ((performance.now() - t) / 50).toFixed(2), 'ms'); }
await time('select 1', () => db.query('select 1'));
await time('unnest jsonb[] 64', () => db.query(`INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, domain, test_event_code) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::int8[], $6::text[], $7::text[])`, [Array(n).fill('1'), Array(n).fill('t'), Array(n).fill(ev), Array(n).fill('PageView'), Array(n).fill(1), Array(n).fill('d'), Array(n).fill('')]));
await time('unnest text[] only 64', () => db.query(`SELECT count(*) FROM unnest($1::text[])`, [Array(n).fill(ev)]));
await time('jsonb_to_recordset 64', () => db.query(`INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, domain, test_event_code) SELECT p, t, e, n, et, d, c FROM jsonb_to_recordset($1::jsonb) AS x(p text, t text, e jsonb, n text, et int8, d text, c text)`, [JSON.stringify(Array.from({length:n},()=>({p:'1',t:'t',e:evObj,n:'PageView',et:1,d:'d',c:''})))]));
await time('jsonb_array_elements 64', () => db.query(`INSERT INTO event_queue (pixel_id, tenant_id, event, event_name, event_time, domain, test_event_code) SELECT x->>'p', x->>'t', x->'e', x->>'n', (x->>'et')::int8, x->>'d', x->>'c' FROM jsonb_array_elements($1::jsonb) x`, [JSON.stringify(Array.from({length:n},()=>({p:'1',t:'t',e:evObj,n:'PageView',et:1,d:'d',c:''})))]));
await time('count queue', () => db.query('select count(*) from event_queue'));
