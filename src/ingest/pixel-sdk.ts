import { readFileSync } from 'node:fs';
import type { GatewayPixelSettings } from '../database/repos/gateway-pixel-settings-repo.js';

// GET /sdk/{pixelId}/events.js: our first-party tag. The browser code lives in pixel-sdk/events.js
// and the parts it includes (plain ES2018, linted as JavaScript); this module reads them once,
// joins them and embeds the pixel id, the endpoint and a Signals Gateway pixel's settings.

// <repo>/src/ingest/pixel-sdk/, both from src/ingest (tsx) and from dist/ingest (built).
const SOURCE_DIR = new URL('../../src/ingest/pixel-sdk/', import.meta.url);
const SOURCE = new URL('events.js', SOURCE_DIR);
const PIXEL_ID_SLOT = "'__CAPIG_PIXEL_ID__'";
const ENDPOINT_SLOT = "'__CAPIG_ENDPOINT__'";
const SETTINGS_SLOT = "'__CAPIG_PIXEL_SETTINGS__'";
const SLOTS = /'__CAPIG_(?:PIXEL_ID|ENDPOINT|PIXEL_SETTINGS)__'/g;
/** A whole line `// capig:include <file>` in events.js is replaced by that file of the same folder. */
const INCLUDE = /^[ \t]*\/\/ capig:include ([\w-]+\.js)[ \t]*$/gm;

const TEMPLATE = compact(
  readFileSync(SOURCE, 'utf8').replace(INCLUDE, (_line, file: string) =>
    readFileSync(new URL(file, SOURCE_DIR), 'utf8'),
  ),
);
for (const slot of [PIXEL_ID_SLOT, ENDPOINT_SLOT, SETTINGS_SLOT]) {
  if (TEMPLATE.split(slot).length !== 2) throw new Error(`${SOURCE.pathname} must contain ${slot} exactly once`);
}

/**
 * The tag for one pixel; `endpoint` is the gateway's public base URL (events go to `${endpoint}/events`).
 * `settings`: a Signals Gateway pixel's (embedded as JSON in a JS string); none for a Meta pixel.
 */
export function renderPixelSdk(opts: {
  pixelId: string;
  endpoint: string;
  settings?: GatewayPixelSettings | null;
}): string {
  const endpoint = opts.endpoint.replace(/\/+$/, '');
  const settings = JSON.stringify(opts.settings ?? null);
  const values: Record<string, string> = {
    [PIXEL_ID_SLOT]: jsString(opts.pixelId),
    [ENDPOINT_SLOT]: jsString(endpoint),
    [SETTINGS_SLOT]: jsString(settings),
  };
  // One pass with a replacer function: a value is never searched for another slot, and a `$&` or
  // `$'` in it is not read as a replacement pattern.
  return TEMPLATE.replace(SLOTS, (slot) => values[slot] ?? slot);
}

/**
 * The HTML snippet for a Signals Gateway pixel (GraphQL `createGatewayPixelHeaderCode`, reference C.6):
 * a `cbq` stub that queues calls until the tag loads, the tag loaded async from
 * `<endpoint>/sdk/<sourceId>/events.js`, then setHost, init and a PageView. `endpoint` is the gateway's
 * public base URL as the page should reach it (e.g. `https://capig.shop.example`).
 */
export function gatewayPixelHeaderCode(opts: { sourceId: string; endpoint: string }): string {
  const endpoint = opts.endpoint.replace(/\/+$/, '');
  const src = jsString(`${endpoint}/sdk/${encodeURIComponent(opts.sourceId)}/events.js`);
  const host = jsString(`${endpoint}/`);
  const id = jsString(opts.sourceId);
  return [
    '<!-- Signals Gateway Pixel Code -->',
    '<script>',
    '!function(w,d,e,u,n,t,s){if(w.cbq)return;n=w.cbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};' +
      "n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=d.createElement(e);t.async=!0;t.src=u;" +
      `s=d.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script',${src});`,
    `cbq('setHost', ${host});`,
    `cbq('init', ${id});`,
    "cbq('track', 'PageView');",
    '</script>',
    '<!-- End Signals Gateway Pixel Code -->',
    '',
  ].join('\n');
}

/**
 * A JavaScript string literal for any value: JSON, with `<`, `>`, `&` and the JS line terminators
 * U+2028/U+2029 escaped too, so the result is also safe inside an inline <script> or a comment-free line.
 */
export function jsString(v: string): string {
  return JSON.stringify(String(v)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Drops whole-line `//` comments, indentation and blank lines. Safe for the tag's files, which by
 * their own rule have no block comments and no multi-line strings or templates.
 */
function compact(source: string): string {
  return `${source
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('//'))
    .join('\n')}\n`;
}
