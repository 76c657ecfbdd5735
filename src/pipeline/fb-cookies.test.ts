import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildFbc,
  buildFbp,
  fbcFromClickId,
  fbclidFromUrl,
  isValidFbc,
  isValidFbp,
  parseCookieHeader,
} from './fb-cookies.js';

const FBCLID = 'IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk';
const MS = 1554763741205;

describe('fbclidFromUrl', () => {
  it('reads the fbclid query parameter, case kept', () => {
    assert.equal(fbclidFromUrl(`https://shop.example.com/p?utm_source=fb&fbclid=${FBCLID}&x=1`), FBCLID);
    assert.equal(fbclidFromUrl('https://example.com/?fbclid=AbC_d-E'), 'AbC_d-E');
    // The parameter's name percent-escaped is still the parameter (the quick no-fbclid check must not skip it).
    assert.equal(fbclidFromUrl('https://example.com/?fb%63lid=abc'), 'abc');
  });

  it('handles relative URLs, fragments and hash routers', () => {
    assert.equal(fbclidFromUrl('/landing?fbclid=abc'), 'abc');
    assert.equal(fbclidFromUrl('https://example.com/?fbclid=abc#section'), 'abc');
    assert.equal(fbclidFromUrl('https://example.com/#/page?fbclid=xyz'), 'xyz');
  });

  it('is null without fbclid, for empty values and bad input', () => {
    for (const url of [
      null,
      undefined,
      '',
      'https://example.com/',
      'https://example.com/?FBCLID=abc',
      'https://example.com/?fbclid=',
      'https://example.com/?fbclid=a%20b',
      'https://example.com/?fbclid=a;b',
      `https://example.com/?fbclid=${'a'.repeat(2000)}`,
    ]) {
      assert.equal(fbclidFromUrl(url), null, String(url).slice(0, 60));
    }
  });

  it('does not throw on unparsable URLs', () => {
    assert.equal(fbclidFromUrl('http://[::1/?fbclid=abc'), 'abc');
    assert.equal(fbclidFromUrl('http://[::1/?x=%E0%A4%A'), null);
    assert.equal(fbclidFromUrl(42 as unknown as string), null);
  });
});

describe('build', () => {
  it('buildFbc', () => {
    assert.equal(buildFbc(FBCLID, MS), `fb.1.${MS}.${FBCLID}`);
    assert.equal(buildFbc('abc', MS + 0.7, 2), `fb.2.${MS}.abc`);
  });

  it('buildFbp', () => {
    assert.equal(buildFbp(MS, 1098115397), `fb.1.${MS}.1098115397`);
    assert.equal(buildFbp(MS, 5, 0), `fb.0.${MS}.5`);
    const random = buildFbp(MS);
    assert.match(random, /^fb\.1\.1554763741205\.\d+$/);
    const n = Number(random.split('.')[3]);
    assert.ok(n >= 1 && n < 2147483647);
    assert.ok(isValidFbp(random));
  });
});

describe('isValidFbc / isValidFbp', () => {
  it('accepts 4 and 5 segment values (param-builder appendix)', () => {
    assert.ok(isValidFbc(`fb.1.${MS}.${FBCLID}`));
    assert.ok(isValidFbc(`fb.2.${MS}.${FBCLID}.AQQCAQMC`));
    assert.ok(isValidFbc(`fb.1.${MS}.${FBCLID}.Ag`));
    assert.ok(isValidFbp('fb.1.1558571054389.1098115397'));
    assert.ok(isValidFbp('fb.1.1558571054389.1098115397.AQQCAQMC'));
    assert.ok(isValidFbp('fb.0.1558571054389.1098115397'));
  });

  it('is lenient after the third segment for fbc', () => {
    assert.ok(isValidFbc(`fb.1.${MS}.a.b.c`));
  });

  it('rejects malformed values', () => {
    for (const v of [
      null,
      undefined,
      42,
      '',
      'fb.1.1554763741205',
      `fb.1.${MS}.`,
      `fb.1.${MS}..AQQCAQMC`,
      `fc.1.${MS}.abc`,
      `fb.x.${MS}.abc`,
      `fb.1.12ab.abc`,
      `fb..${MS}.abc`,
      `fb.1.${MS}.ab c`,
      `fb.1.${MS}.ab;c`,
      `fb.1.${MS}.${'a'.repeat(1100)}`,
    ]) {
      assert.equal(isValidFbc(v), false, String(v).slice(0, 60));
      assert.equal(isValidFbp(v), false, String(v).slice(0, 60));
    }
    assert.equal(isValidFbp('fb.1.1558571054389.1.AQQCAQMC.x'), false);
  });
});

describe('fbcFromClickId', () => {
  const now = 1700000000000;
  const existing = `fb.1.${MS}.${FBCLID}`;

  it('keeps the cookie when the URL has no fbclid', () => {
    assert.equal(fbcFromClickId(existing, 'https://example.com/', now), existing);
    assert.equal(fbcFromClickId(existing, null, now), existing);
  });

  it('keeps the cookie when the URL fbclid is the one it was made from', () => {
    assert.equal(fbcFromClickId(existing, `https://example.com/?fbclid=${FBCLID}`, now), existing);
    const withAppendix = `${existing}.AQQCAQMC`;
    assert.equal(fbcFromClickId(withAppendix, `https://example.com/?fbclid=${FBCLID}`, now), withAppendix);
  });

  it('builds a new one when the fbclid differs (case-sensitive) or there is no cookie', () => {
    const lower = FBCLID.toLowerCase();
    assert.equal(fbcFromClickId(existing, `https://e.com/?fbclid=${lower}`, now), `fb.1.${now}.${lower}`);
    assert.equal(fbcFromClickId(null, 'https://e.com/?fbclid=new', now), `fb.1.${now}.new`);
    assert.equal(fbcFromClickId(null, 'https://e.com/?fbclid=new', now, 2), `fb.2.${now}.new`);
  });

  it('ignores an invalid cookie', () => {
    assert.equal(fbcFromClickId('garbage', 'https://e.com/', now), null);
    assert.equal(fbcFromClickId('garbage', 'https://e.com/?fbclid=x', now), `fb.1.${now}.x`);
    assert.equal(fbcFromClickId(null, null, now), null);
  });
});

describe('parseCookieHeader', () => {
  it('parses name=value pairs', () => {
    const c = parseCookieHeader(`_fbp=fb.1.1.2; _fbc=fb.1.${MS}.${FBCLID};other="quoted value"; enc=a%3Db`);
    assert.deepEqual({ ...c }, { _fbp: 'fb.1.1.2', _fbc: `fb.1.${MS}.${FBCLID}`, other: 'quoted value', enc: 'a=b' });
  });

  it('keeps the first of duplicate names and values with "="', () => {
    assert.deepEqual({ ...parseCookieHeader('a=1; a=2; b=x=y') }, { a: '1', b: 'x=y' });
  });

  it('ignores malformed pairs and never throws', () => {
    assert.deepEqual(
      { ...parseCookieHeader('novalue; =x; ;; bad name=1; ok=1; pct=%E0%A4%A') },
      { ok: '1', pct: '%E0%A4%A' },
    );
    assert.deepEqual({ ...parseCookieHeader(undefined) }, {});
    assert.deepEqual({ ...parseCookieHeader('') }, {});
    assert.deepEqual({ ...parseCookieHeader(42 as unknown as string) }, {});
  });

  it('treats prototype names as data', () => {
    const c = parseCookieHeader('__proto__=x; constructor=y');
    assert.equal(Object.getOwnPropertyDescriptor(c, '__proto__')?.value, 'x');
    assert.equal(c.constructor, 'y');
    assert.equal(Object.getPrototypeOf(c), null);
    assert.equal(parseCookieHeader('a=1').toString, undefined);
  });

  it('reads at most 50 cookies', () => {
    const header = Array.from({ length: 80 }, (_, i) => `c${i}=${i}`).join('; ');
    const c = parseCookieHeader(header);
    assert.equal(Object.keys(c).length, 50);
    assert.equal(c.c49, '49');
    assert.equal(c.c50, undefined);
  });
});
