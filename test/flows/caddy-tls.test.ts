import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { createIngressDomainsRepo } from '../../src/database/repos/ingress-domains-repo.js';
import { browserEvent, startTestGateway, type TestGateway, waitFor } from '../harness.js';
import { freePort } from '../net.js';

// deploy/Caddyfile in front of the gateway, with Caddy from Debian's package and its own CA: an
// https request to an account's first-party domain gets a certificate issued on demand and reaches
// the gateway with the browser's address; a name the gateway does not allow gets no certificate.

const CADDY = '/usr/bin/caddy';
const CADDYFILE = join(import.meta.dirname, '../../deploy/Caddyfile');
/** Missing Caddy fails in CI (.ci/run installs it) and skips elsewhere, with the hint. */
function caddySkipped(): string | false {
  if (existsSync(CADDY)) return false;
  if (process.env.CI === 'true' || process.env.CI === '1') return false;
  return 'Caddy is missing: apt-get install -y caddy';
}

/** POST over TLS to Caddy as a browser at 127.0.0.5 would, for `name`; the certificate comes back too. */
function postVia(port: number, name: string, body: string) {
  return new Promise<{ status: number; text: string; subjectAltName: string; issuer: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: name,
        localAddress: '127.0.0.5',
        method: 'POST',
        path: '/events',
        rejectUnauthorized: false,
        agent: false,
        headers: {
          host: name,
          'content-type': 'text/plain;charset=UTF-8',
          'user-agent': 'Mozilla/5.0 (Test) Chrome/140',
        },
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text,
            subjectAltName: cert.subjectaltname ?? '',
            issuer: String(cert.issuer?.CN ?? ''),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Caddy with on-demand TLS in front of the gateway', { skip: caddySkipped(), timeout: 90_000 }, () => {
  let gw: TestGateway;
  let caddy: ChildProcess;
  let dir: string;
  let httpsPort: number;
  let pixelId: string;

  before(async () => {
    gw = await startTestGateway({ env: { CAPIG_OPS_PORT: '0', CAPIG_TRUST_PROXY: 'loopback' } });
    const px = await gw.addPixel();
    pixelId = px.pixelId;
    const ingress = createIngressDomainsRepo(gw.gateway.db);
    assert.equal(await ingress.upsert([px.tenantId], px.tenantId, 'capig.shop.example', 'shop.example'), 'ok');

    dir = await mkdtemp(join(tmpdir(), 'capig-caddy-'));
    httpsPort = await freePort();
    caddy = spawn(CADDY, ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
      env: {
        ...process.env,
        HOME: dir,
        XDG_DATA_HOME: join(dir, 'data'),
        XDG_CONFIG_HOME: join(dir, 'config'),
        CAPIG_UPSTREAM: new URL(gw.url).host,
        CAPIG_OPS: new URL(gw.gateway.opsUrl as string).host,
        CAPIG_TLS_ISSUER: 'internal',
        CADDY_HTTP_PORT: String(await freePort()),
        CADDY_HTTPS_PORT: String(httpsPort),
        CADDY_ADMIN: `127.0.0.1:${await freePort()}`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    caddy.stderr?.on('data', (d) => {
      log += d;
    });
    await waitFor(
      () => {
        if (caddy.exitCode !== null) throw new Error(`caddy exited: ${log.slice(-2000)}`);
        return log.includes('serving initial configuration');
      },
      'Caddy to start',
      30_000,
    );
  });

  after(async () => {
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((r) => caddy.once('exit', r));
      caddy.kill('SIGTERM');
      await exited;
    }
    await gw?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("an account's first-party domain gets a certificate, and its events arrive with the browser's address", async () => {
    const event = browserEvent(pixelId);
    const res = await postVia(httpsPort, 'capig.shop.example', JSON.stringify(event));
    assert.equal(res.status, 200, res.text);
    assert.match(res.subjectAltName, /DNS:capig\.shop\.example/);
    assert.match(res.issuer, /Caddy Local Authority/);
    await waitFor(() => gw.fake.events(pixelId).length === 1, 'the event reaches Meta');
    const sent = gw.fake.events(pixelId)[0]?.event as { event_id: string; user_data: { client_ip_address: string } };
    assert.equal(sent.event_id, event.event_id);
    assert.equal(sent.user_data.client_ip_address, '127.0.0.5', 'the browser, not the proxy');
  });

  test('a name the gateway does not allow gets no certificate', async () => {
    await assert.rejects(postVia(httpsPort, 'not-a-customer.example', '{}'), (err: Error) => {
      assert.match(err.message, /alert|socket|ECONNRESET|handshake/i);
      return true;
    });
  });
});
