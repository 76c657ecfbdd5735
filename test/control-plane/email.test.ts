import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway, waitFor } from '../harness.js';
import { type Received, startSmtp } from '../smtp.js';
import { createAccount, createPerson, signInAs } from './people.js';

// With CAPIG_SMTP_URL set, invitation and reset links are emailed (here to a real SMTP server on
// loopback, the local twin of the host's mail server); without it, or when mail fails, the links
// are still handed to the admin who made them.

/** The link in a plain-text mail (quoted-printable soft breaks and =3D undone). */
function linkIn(body: string): string {
  const text = body.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const match = /https?:\/\/\S+\/auth\/verify\/\?\S+/.exec(text);
  assert.ok(match, `a link in:\n${text}`);
  return match[0];
}

const PUBLIC_URL = 'http://gw.acme.example';

describe('email: invitation and reset links by SMTP', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let gw: TestGateway;
  before(async () => {
    smtp = await startSmtp();
    gw = await startTestGateway({
      env: {
        CAPIG_SMTP_URL: `smtp://capig:secret-pass@127.0.0.1:${smtp.port}`,
        CAPIG_SMTP_FROM: 'Gateway <gw@acme.example>',
        CAPIG_PUBLIC_URL: PUBLIC_URL,
        CAPIG_TRUST_PROXY: 'true',
      },
    });
  });
  after(async () => {
    await gw.stop();
    await smtp.close();
  });

  test('an invitation is emailed with the same link the admin sees', async () => {
    const t = await createAccount(gw);
    const admin = await signInAs(gw, { roles: [`advertiser-admin-${t}`] });
    const r = await admin.gql(
      'mutation ($i: AddUserWithRoleInput!) { userMutations { addUserWithRole(input: $i) { invitationLink } } }',
      { i: { email: 'invitee@acme.example', roleName: `advertiser-view-${t}` } },
    );
    const shown = r.body.data.userMutations.addUserWithRole.invitationLink as string;
    await waitFor(() => smtp.inbox.some((m) => m.to.includes('invitee@acme.example')), 'invitation email');
    const mail = smtp.inbox.find((m) => m.to.includes('invitee@acme.example')) as Received;
    assert.match(mail.body, /From: Gateway <gw@acme\.example>/);
    assert.match(mail.body, /Subject: Your invitation to the Conversions API Gateway/);
    assert.equal(linkIn(mail.body), shown);
  });

  test('"Forgot password" emails a working reset link to known addresses only, once per 5 minutes', async () => {
    const person = await createPerson(gw, { email: 'forgetful@acme.example', password: 'the old password' });
    const before = smtp.inbox.length;
    const ask = (email: string) =>
      fetch(`${gw.url}/auth/forgot`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
    assert.equal((await ask('nobody@acme.example')).status, 202);
    assert.equal((await ask('Forgetful@Acme.example')).status, 202);
    assert.equal((await ask('forgetful@acme.example')).status, 202, 'asked again at once');
    await waitFor(() => smtp.inbox.length > before, 'reset email');
    await new Promise((r) => setTimeout(r, 500));
    const mails = smtp.inbox.slice(before);
    assert.equal(mails.length, 1, 'one email: none for the unknown address, none for the repeat');
    assert.deepEqual(mails[0]?.to, ['forgetful@acme.example']);
    const link = new URL(linkIn(mails[0]?.body ?? ''));
    assert.equal(link.searchParams.get('et'), 'reset');

    const reset = await fetch(`${gw.url}/auth/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: link.searchParams.get('token'), password: 'the new password' }),
    });
    assert.equal(reset.status, 200);
    const login = await fetch(`${gw.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: person.email, password: 'the new password' }),
    });
    assert.equal(login.status, 200, 'the emailed link set the new password');
  });

  test('an emailed link points at CAPIG_PUBLIC_URL whatever Host and X-Forwarded-Host say', async () => {
    await createPerson(gw, { email: 'victim@acme.example', password: 'the victim password' });
    const before = smtp.inbox.length;
    const asked = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ email: 'victim@acme.example' });
      const req = request(
        new URL('/auth/forgot', gw.url),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', host: 'evil.example', 'x-forwarded-host': 'evil.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(asked, 202);
    await waitFor(() => smtp.inbox.length > before, 'reset email');
    const mail = smtp.inbox.at(-1) as Received;
    assert.ok(!mail.body.includes('evil.example'));
    assert.ok(linkIn(mail.body).startsWith(`${PUBLIC_URL}/auth/verify/?`));
  });

  test('without CAPIG_PUBLIC_URL nothing is emailed, and the start log says so', async () => {
    const lines: string[] = [];
    const bare = await startTestGateway({
      env: { CAPIG_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LOG_LEVEL: 'warn' },
      logLines: lines,
    });
    try {
      assert.ok(
        lines.some((l) => /CAPIG_PUBLIC_URL is not/.test(l)),
        'a warning at start',
      );
      await createPerson(bare, { email: 'nomail@acme.example', password: 'some password here' });
      const before = smtp.inbox.length;
      const res = await fetch(`${bare.url}/auth/forgot`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nomail@acme.example' }),
      });
      assert.equal(res.status, 202);
      const t = await createAccount(bare);
      const admin = await signInAs(bare, { roles: [`advertiser-admin-${t}`] });
      const r = await admin.gql(
        'mutation ($i: AddUserWithRoleInput!) { userMutations { addUserWithRole(input: $i) { invitationLink } } }',
        { i: { email: 'invitee2@acme.example', roleName: `advertiser-view-${t}` } },
      );
      assert.match(
        r.body.data.userMutations.addUserWithRole.invitationLink,
        /\/auth\/verify\/\?/,
        'the admin still gets it',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(smtp.inbox.length, before, 'no email');
    } finally {
      await bare.stop();
    }
  });

  test('when the mail server is gone, the admin still gets the link and nothing fails', async () => {
    const down = await startTestGateway({
      env: { CAPIG_SMTP_URL: 'smtp://127.0.0.1:9', CAPIG_SMTP_FROM: 'gw@acme.example', CAPIG_PUBLIC_URL: PUBLIC_URL },
    });
    try {
      const t = await createAccount(down);
      const admin = await signInAs(down, { roles: [`advertiser-admin-${t}`] });
      const r = await admin.gql(
        'mutation ($i: AddUserWithRoleInput!) { userMutations { addUserWithRole(input: $i) { invitationLink } } }',
        { i: { email: 'someone@acme.example', roleName: `advertiser-view-${t}` } },
      );
      assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
      assert.match(r.body.data.userMutations.addUserWithRole.invitationLink, /\/auth\/verify\/\?/);
    } finally {
      await down.stop();
    }
  });
});
