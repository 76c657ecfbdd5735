import type { FastifyInstance } from 'fastify';

// GET /auth/verify/?token=..&et=inv|reset&email=..: where invitation and reset links land. Until
// the web UI exists, a small self-contained page whose form posts JSON to /auth/signup or
// /auth/reset. Query values are read by the script and only ever set as text or input values, so
// nothing from the link is interpreted as HTML.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>capig: set your password</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:15px system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#111827}
 label{display:block;margin:.8rem 0 .2rem}
 input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}
 button{margin-top:1rem;padding:.5rem 1.2rem;font:inherit}
 #msg{margin-top:1rem;min-height:1.5rem}
 .err{color:#b91c1c}.ok{color:#047857}
</style></head><body>
<h1 id="title">Set your password</h1>
<form id="f">
 <label for="email">Email</label><input id="email" type="email" autocomplete="username" readonly>
 <label for="pw">New password (at least 10 characters)</label>
 <input id="pw" type="password" autocomplete="new-password" minlength="10" required>
 <label for="pw2">Repeat the password</label>
 <input id="pw2" type="password" autocomplete="new-password" minlength="10" required>
 <button id="go" type="submit">Save</button>
</form>
<p id="msg" role="status" aria-live="polite"></p>
<script>
const q = new URLSearchParams(location.search);
const kind = q.get('et') === 'reset' ? 'reset' : 'signup';
const $ = (id) => document.getElementById(id);
$('email').value = q.get('email') || '';
$('title').textContent = kind === 'reset' ? 'Choose a new password' : 'Create your account';
$('go').textContent = kind === 'reset' ? 'Save the new password' : 'Create account';
function say(text, cls) { $('msg').textContent = text; $('msg').className = cls; }
if (!q.get('token')) say('This link has no token: open the full link you were given.', 'err');
$('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  if ($('pw').value !== $('pw2').value) return say('The two passwords differ.', 'err');
  const body = kind === 'reset'
    ? { token: q.get('token'), password: $('pw').value }
    : { token: q.get('token'), email: $('email').value, password: $('pw').value };
  $('go').disabled = true;
  try {
    const res = await fetch('/auth/' + kind, { method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    if (res.ok) { $('f').hidden = true; say(json.signedIn === false ? 'Password saved.' : 'Done: you are signed in.', 'ok'); }
    else say((json.error && json.error.message) || ('HTTP ' + res.status), 'err');
  } catch (err) { say('The gateway could not be reached: ' + err.message, 'err'); }
  $('go').disabled = false;
});
</script></body></html>`;

export function registerGetAuthVerify(app: FastifyInstance): void {
  for (const path of ['/auth/verify', '/auth/verify/']) {
    app.get(path, async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
        // The token is in the URL: keep it out of Referer headers and caches.
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-store')
        .send(PAGE),
    );
  }
}
