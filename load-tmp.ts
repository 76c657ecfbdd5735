import { request, Agent } from 'undici';
import { loadConfig } from './src/config.js';
import { startGateway } from './src/main.js';
import { startFakeGraph } from './src/fake-graph/fake-graph-server.js';
import { browserEvent } from './test/harness.js';
const fake = await startFakeGraph();
const gateway = await startGateway(loadConfig({ PORT: '0', HOST: '127.0.0.1', CAPIG_DATA_DIR: '/tmp/capig-load-' + Date.now(), CAPIG_GRAPH_API_URL: fake.url, LOG_LEVEL: 'silent' }));
await gateway.accounts.createTenant({ id: 't', name: 't' });
await gateway.accounts.addPixel({ pixelId: '123', tenantId: 't', accessToken: 'tok' });
const agent = new Agent({ connections: 64 });
let ok = 0, bad = 0;
const end = Date.now() + 8000;
const t0 = Date.now();
await Promise.all(Array.from({ length: 64 }, async () => {
  while (Date.now() < end) {
    const r = await request(`${gateway.url}/events`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'text/plain', 'user-agent': 'UA' }, body: JSON.stringify(browserEvent('123')) });
    await r.body.text();
    if (r.statusCode === 200) ok++; else bad++;
  }
}));
const secs = (Date.now() - t0) / 1000;
console.log('writer', (globalThis as any).__w, 'ingest req/s', Math.round(ok / secs), 'bad', bad, 'rss MB', Math.round(process.memoryUsage().rss / 1e6));
const t1 = Date.now();
while ((await gateway.queue.depth()) > 0) await new Promise((r) => setTimeout(r, 200));
console.log('drain total', fake.stats().eventsAccepted, 'in', (Date.now() - t1) / 1000, 's after load');
await gateway.stop(); await fake.close();
