import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// What the browser tests of our tag put around it: the standard Meta Pixel base code, a fake of Meta's
// fbevents.js that records what Meta's pixel would have been told, and a site that serves test pages.

export const META = 'https://connect.facebook.net/';

/** The standard Meta Pixel base code (the queueing stub that loads fbevents.js). */
export const META_SNIPPET =
  "!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');";

/**
 * Fake fbevents.js, recording every call (as JSON, at call time) into window.__metaCalls.
 * - replacing: assigns new window.fbq / window._fbq functions and replays the stub's queue into them; the
 *   old stub is left dead, so only a tag that follows the replacement still sees later calls.
 * - decorating: like today's fbevents.js, keeps the stub, sets its callMethod and replays the queue.
 */
export const FAKE_FBEVENTS = {
  replacing: `(function () {
    var stub = window.fbq;
    var calls = (window.__metaCalls = window.__metaCalls || []);
    var lib = function () { calls.push(JSON.parse(JSON.stringify([].slice.call(arguments)))); };
    lib.callMethod = lib; lib.queue = []; lib.loaded = true; lib.version = '2.0'; lib.push = lib;
    var queued = stub.queue.splice(0);
    window.__metaReplayed = queued.length;
    window.fbq = lib;
    window._fbq = lib;
    for (var i = 0; i < queued.length; i++) lib.apply(null, queued[i]);
  })();`,
  decorating: `(function () {
    var f = window.fbq;
    var calls = (window.__metaCalls = window.__metaCalls || []);
    f.callMethod = function () { calls.push(JSON.parse(JSON.stringify([].slice.call(arguments)))); };
    var queued = f.queue.splice(0);
    window.__metaReplayed = queued.length;
    for (var i = 0; i < queued.length; i++) f.callMethod.apply(f, queued[i]);
  })();`,
};

export type FakeFbevents = keyof typeof FAKE_FBEVENTS;

export interface TestSite {
  port: number;
  /** Path -> HTML served at it, on every host name. */
  pages: Map<string, string>;
  close(): Promise<void>;
}

/** A site on 127.0.0.1 serving `pages`; browsers reach it under any *.localtest name (host-resolver-rules). */
export async function startTestSite(): Promise<TestSite> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const html = pages.get(new URL(req.url ?? '/', 'http://site.invalid').pathname);
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pages,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Chromium arguments that send every *.localtest name to 127.0.0.1. */
export const LOCALTEST_ARGS = ['--host-resolver-rules=MAP *.localtest 127.0.0.1'];
