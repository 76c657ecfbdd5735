// The fake Graph API for the benchmark: the same server as `capig fake-graph`, but keeping only
// 1,000 accepted events for inspection instead of the default 200,000 (the CLI has no flag for
// it), so a million-event drain does not fill the fake's heap; its counters still count them all.
// Env: PORT. Needs dist/ (npm run build).
import { startFakeGraph } from '../../dist/fake-graph/fake-graph-server.js';

const port = Number(process.env.PORT ?? 4100);
const fake = await startFakeGraph({ port, host: '127.0.0.1', recordLimit: Number(process.env.RECORD_LIMIT ?? 1000) });
process.stdout.write(`fake Graph API listening on ${fake.url}\n`);
const stop = () => fake.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
