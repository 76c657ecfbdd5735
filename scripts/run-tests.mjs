// Runs every *.test.ts under src/ and test/ with Node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [path-filter...]
//
// The database the suite runs on:
// - CAPIG_TEST_DATABASE_URL set (npm run test:pg): that PostgreSQL server;
// - otherwise (npm test): the embedded PostgreSQL server, the default engine, started here for the
//   run in a temporary directory; each test gateway gets a fresh database on it.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : find(p);
    return p.endsWith('.test.ts') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = ['src', 'test']
  .flatMap(find)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const env = { ...process.env };
let server = null;
let serverDir = null;
if (!env.CAPIG_TEST_DATABASE_URL) {
  const { startEmbeddedPostgres } = await tsImport('../src/database/embedded-postgres.ts', import.meta.url);
  serverDir = join(tmpdir(), `capig-test-server-${process.pid}`);
  server = await startEmbeddedPostgres(serverDir, (msg) => console.log(`embedded PostgreSQL: ${msg}`));
  env.CAPIG_TEST_DATABASE_URL = server.url;
  console.log(`tests on the embedded PostgreSQL server (${serverDir})`);
}

const code = await new Promise((resolve) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
    { stdio: 'inherit', env },
  );
  child.on('exit', (c) => resolve(c ?? 1));
});
if (server) {
  await server.stop();
  rmSync(serverDir, { recursive: true, force: true });
}
process.exit(code);
