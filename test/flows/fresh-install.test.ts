import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI, runCli } from '../cli.js';
import { createTestDatabase, serverEvent, TEST_DATABASE_URL, TEST_SECRET, waitFor } from '../harness.js';

// A fresh install driven only from the outside, as an operator would: the CLI bootstraps an admin
// and an API account, `capig start` runs the gateway against `capig fake-graph`, and a partner's
// code connects a pixel through the control plane and sends it an event that reaches "Meta".

const children: ChildProcess[] = [];
const run = runCli;

/** Starts a long-running command and resolves with the first stdout match of `ready`. */
function serve(args: string[], env: Record<string, string>, ready: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve(m);
    });
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => reject(new Error(`capig ${args[0]} exited with ${code}: ${err.slice(-1500)}`)));
  });
}

describe('a fresh install, from the outside', { timeout: 180_000 }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of children) c.kill('SIGTERM');
    for (const c of cleanups) await c();
  });

  test('bootstrap, start, token, createTenant, setupPixelSignalConfig, and an event reaches the fake', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'capig-fresh-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      CAPIG_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      CAPIG_SECRET_KEY: '',
    };
    if (TEST_DATABASE_URL) {
      const db = await createTestDatabase(TEST_DATABASE_URL);
      cleanups.push(() => db.drop());
      Object.assign(env, { DATABASE_URL: db.url, CAPIG_SECRET_KEY: TEST_SECRET });
    }

    const admin = await run(['admin', 'create', '--email', 'ops@example.com', '--password', 'correct-horse-9'], env);
    assert.equal(admin.code, 0, admin.stderr);
    const api = await run(['api-account', 'create', '--name', 'Partner1'], env);
    assert.equal(api.code, 0, api.stderr);
    const { client_id, client_secret } = JSON.parse(api.stdout);

    const [, fakeUrl] = await serve(
      ['fake-graph', '--port', '0', '--record-limit', '10'],
      env,
      /listening on (http:\/\/\S+)/,
    );
    const started = await serve(
      ['start'],
      { ...env, PORT: '0', HOST: '127.0.0.1', CAPIG_GRAPH_API_URL: fakeUrl as string },
      /"url":"(http:\/\/[^"]+)"[^\n]*"gateway started"|"gateway started"[^\n]*"url":"(http:\/\/[^"]+)"/,
    );
    const url = (started[1] ?? started[2]) as string;

    const tokenRes = await fetch(`${url}/clients/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id, client_secret, grant_type: 'client_credentials' }),
    });
    assert.equal(tokenRes.status, 200);
    const { access_token } = await tokenRes.json();
    const gql = async (path: 'hub' | 'capig', query: string, variables: Record<string, unknown>) => {
      const res = await fetch(`${url}/${path}/graphql/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = await res.json();
      assert.equal(res.status, 200);
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return body.data;
    };

    const created = await gql(
      'hub',
      'mutation CreateTenantMutation($input: CreateTenantInput!){tenantMutations{createTenant(input:$input){tenant{id name status canPartnerManage}}}}',
      { input: { name: 'TestAdvertiserViaAPI', canPartnerManage: true, eventEnrichment: true } },
    );
    const tenantId = created.tenantMutations.createTenant.tenant.id as string;
    assert.match(tenantId, /^[A-Za-z0-9]{8}$/);

    const pixelId = '18904456377094531';
    const setup = await gql(
      'capig',
      `mutation AddNewPixelModalMutation($tenantId: ID!, $input: PixelConnectionCreationInput!) {
         tenantMutations(tenantId: $tenantId) { signalMutations { setupPixelSignalConfig(input: $input) {
           id connectionId connectionStatus { accessKey accessTokenAvailable active publishingEnabled pixelName } } } } }`,
      {
        tenantId,
        input: {
          pixelId,
          businessId: '2840127409433732',
          accessToken: 'EAAB-partner-token',
          apiVersion: 'v24.0',
          externalId: '',
        },
      },
    );
    const config = setup.tenantMutations.signalMutations.setupPixelSignalConfig;
    assert.equal(config.id, `SignalConfig:${pixelId}`);
    assert.equal(config.connectionStatus.pixelName, `Fake Pixel ${pixelId}`, 'the name comes from the token check');

    const ev = serverEvent();
    const sent = await fetch(`${url}/capi/${pixelId}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${config.connectionStatus.accessKey}` },
      body: JSON.stringify({ data: [ev] }),
    });
    assert.equal(sent.status, 200);
    await waitFor(
      async () => {
        const got = await (await fetch(`${fakeUrl}/_fake/events?pixel_id=${pixelId}`)).json();
        return got.events.some((e: any) => e.event.event_id === ev.event_id);
      },
      'the event reached the fake Graph API',
      20_000,
    );
    const ob = await (await fetch(`${fakeUrl}/_fake/openbridge_configurations`)).json();
    assert.equal(ob.configurations.length, 1, 'the gateway registered itself for the pixel');
  });
});
