import { openPgliteDb } from './src/database/pglite-db.js';
import { migrate } from './src/database/migrate.js';
import { createEventWriter } from './src/queue/event-writer.js';
import { Counts } from './src/domain/counts.js';
import { createLogger } from './src/platform/logger.js';
const db = await openPgliteDb('/tmp/pgl-w-' + Date.now());
await migrate(db);
await db.query(`INSERT INTO tenants (id, name) VALUES ('t','t')`);
await db.query(`INSERT INTO pixels (pixel_id, tenant_id, access_key_enc) VALUES ('1','t','x')`);
const w = createEventWriter({ db, log: createLogger('silent') });
let k = 0;
const mk = () => ({ pixelId: '1', tenantId: 't', domain: 'shop.example.com', testEventCode: '', dedupKey: 'k' + k, publish: true,
  event: { event_name: 'PageView', event_time: 1, event_id: 'k' + k++, action_source: 'website' as const, event_source_url: 'https://shop.example.com/x', user_data: { client_user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36', client_ip_address: '127.0.0.1', fbp: 'fb.1.1700000000000.123' } } });
for (const n of [1, 20, 100, 500]) {
  const iters = 30;
  const t = performance.now();
  for (let i = 0; i < iters; i++) {
    const c = new Counts(); c.add({ tenantId: 't', pixelId: '1', eventName: 'PageView', domain: 'shop.example.com', outcome: 'received' }, n);
    await w.commit(Array.from({ length: n }, mk), c);
  }
  const ms = (performance.now() - t) / iters;
  console.log(`group of ${n}: ${ms.toFixed(2)} ms/flush, ${(n / ms * 1000).toFixed(0)} events/s`);
}
