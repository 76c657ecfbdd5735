import type { FastifyInstance } from 'fastify';

// GET /capig/graphiql/: a small self-contained explorer (no CDN: the gateway may run offline).
// It sends the session cookie, or a bearer token pasted into it, to either GraphQL endpoint.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>capig GraphQL explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px system-ui,sans-serif;margin:0;display:grid;grid-template-rows:auto 1fr;height:100vh}
 header{display:flex;gap:8px;align-items:center;padding:8px 12px;background:#1f2937;color:#fff;flex-wrap:wrap}
 header label{display:flex;gap:4px;align-items:center}
 main{display:grid;grid-template-columns:1fr 1fr;gap:8px;padding:8px;min-height:0}
 section{display:grid;grid-template-rows:auto 2fr auto 1fr;gap:4px;min-height:0}
 textarea,pre{font:13px ui-monospace,monospace;width:100%;box-sizing:border-box;border:1px solid #d1d5db;border-radius:4px;padding:8px;margin:0}
 pre{overflow:auto;background:#f9fafb;white-space:pre-wrap}
 button{padding:6px 14px}
</style></head><body>
<header><strong>capig GraphQL explorer</strong>
 <label>Endpoint <select id="ep"><option>/capig/graphql/</option><option>/hub/graphql/</option></select></label>
 <label>Bearer token <input id="tok" size="40" placeholder="optional: from POST /clients/token"></label>
 <button id="run">Run (Ctrl+Enter)</button></header>
<main><section><label for="q">Query</label>
<textarea id="q" spellcheck="false">query Account($tenantId: ID!) {
  tenantQueries(tenantId: $tenantId) {
    account(timeWindowMin: 60) { name status signalConfigs { connectionId connectionStatus { active publishingEnabled totalEventsReceived } } }
  }
}</textarea>
<label for="v">Variables (JSON)</label><textarea id="v" spellcheck="false">{"tenantId": ""}</textarea></section>
<section><label for="out">Result</label><pre id="out" aria-live="polite"></pre></section></main>
<script src="/capig/graphiql/explorer.js"></script></body></html>`;

// Served from its own URL so the page's CSP needs no 'unsafe-inline' for scripts.
const SCRIPT = `const $ = (id) => document.getElementById(id);
async function go() {
  let variables = {};
  try { variables = JSON.parse($('v').value || '{}'); } catch (e) { $('out').textContent = 'Variables are not valid JSON: ' + e.message; return; }
  const headers = { 'content-type': 'application/json' };
  if ($('tok').value.trim()) headers.authorization = 'Bearer ' + $('tok').value.trim();
  const csrf = document.cookie.split('; ').find((c) => c.startsWith('capig_csrf='));
  if (csrf) headers['x-csrf-token'] = decodeURIComponent(csrf.slice(11));
  const res = await fetch($('ep').value, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify({ query: $('q').value, variables }) });
  $('out').textContent = 'HTTP ' + res.status + '\\n' + JSON.stringify(await res.json(), null, 2);
}
$('run').onclick = go;
document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) go(); });
`;

export function registerGetGraphiql(app: FastifyInstance): void {
  for (const path of ['/capig/graphiql', '/capig/graphiql/']) {
    app.get(path, async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        // No framing: a page that sends the session cookie must not be clickjacked.
        .header(
          'content-security-policy',
          "default-src 'self'; style-src 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        )
        .header('x-frame-options', 'DENY')
        .header('cache-control', 'no-store')
        .send(PAGE),
    );
  }
  app.get('/capig/graphiql/explorer.js', async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'no-cache').send(SCRIPT),
  );
}
