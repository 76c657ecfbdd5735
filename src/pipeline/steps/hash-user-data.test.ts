import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { PipelineEvent } from '../step.js';
import { hashUserDataStep, hashValue, normalizeUserData, normalizeValue } from './hash-user-data.js';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const one = (key: string, value: string | number | string[]) => normalizeUserData({ [key]: value })[key];

function assertVector(key: string, raw: string, normalized: string, prefix: string, suffix: string) {
  assert.equal(normalizeValue(key, raw), normalized);
  const hashed = one(key, raw);
  assert.equal(hashed, sha(normalized));
  assert.ok(typeof hashed === 'string' && hashed.startsWith(prefix), `${key} prefix`);
  assert.ok(typeof hashed === 'string' && hashed.endsWith(suffix), `${key} suffix`);
}

describe("Meta's documented test vectors", () => {
  it('email', () => assertVector('em', 'John_Smith@gmail.com', 'john_smith@gmail.com', '62a14e44', 'aa0f62f'));
  it('phone with country code', () => assertVector('ph', '+1 (650)555-1212', '16505551212', 'e323ec62', '07ab3176'));
  it('US phone without country code gets 1 when the event says country us', () => {
    const out = normalizeUserData({ ph: '(650)555-1212', country: 'US' });
    assert.equal(normalizeValue('ph', '(650)555-1212', { country: 'us' }), '16505551212');
    assert.equal(out.ph, sha('16505551212'));
    assert.ok(String(out.ph).startsWith('e323ec62') && String(out.ph).endsWith('07ab3176'));
  });
  it('national phone stays as is without a known NANP country', () => {
    assert.equal(normalizeValue('ph', '(650)555-1212'), '6505551212');
    assert.equal(normalizeValue('ph', '(650)555-1212', { country: 'gb' }), '6505551212');
    assert.equal(normalizeUserData({ ph: '(650)555-1212', country: ['us', 'gb'] }).ph, sha('6505551212'));
    assert.equal(normalizeValue('ph', '+650 555 1212', { country: 'us' }), '6505551212');
  });
  it('first name', () => assertVector('fn', 'Mary', 'mary', '6915771b', 'c449f4ec'));
  it('non-Latin letters kept as UTF-8', () => assertVector('ln', 'Valéry', 'valéry', '08e1996b', '9417149c'));
  it('decomposed input is NFC-normalized first', () =>
    assertVector('fn', 'Vale\u0301ry', 'valéry', '08e1996b', '9417149c'));
  it('date of birth', () => assertVector('db', '2/16/1997', '19970216', '01acdbf6', '94f40f0c'));
  // The contract writes this one as `79adb2a2…8a904621`; sha256('us') really ends in `…08084a904621`.
  it('country name', () => assertVector('country', 'United States', 'us', '79adb2a2', 'a904621'));
});

describe('normalization rules', () => {
  const cases: [string, string | number, string | null][] = [
    ['em', '  Foo.Bar+tag@Example.CO.uk ', 'foo.bar+tag@example.co.uk'],
    ['em', 'not-an-email', null],
    ['em', 'a@b', null],
    ['em', 'a b@c.com', null],
    ['ph', '16505551212', '16505551212'],
    ['ph', 16505551212, '16505551212'],
    ['ph', '+44 20 7946 0958', '442079460958'],
    ['ph', '0049 30 123456', '4930123456'],
    ['ph', '12345', null],
    ['ph', '1234567890123456', null],
    ['ph', 'call me', null],
    ['fn', "  O'Brien-Smith ", 'obriensmith'],
    ['fn', 'Mary Ann', 'maryann'],
    ['fn', 'Владимир', 'владимир'],
    ['fn', '李', '李'],
    ['fn', '...', null],
    ['ge', 'Female', 'f'],
    ['ge', ' M ', 'm'],
    ['ge', 'male', 'm'],
    ['ge', 'x', null],
    ['ge', 'woman', null],
    ['db', '19970216', '19970216'],
    ['db', 19970216, '19970216'],
    ['db', '1997-02-16', '19970216'],
    ['db', '1997-2-6', '19970206'],
    ['db', '1997-02-16T00:00:00Z', '19970216'],
    ['db', '02/16/1997', '19970216'],
    ['db', '16.02.1997', '19970216'],
    ['db', '03/04/1997', '19970304'],
    ['db', '1997/13/01', null],
    ['db', '02/30/1997', null],
    ['db', '1899-12-31', null],
    ['db', `${new Date().getUTCFullYear() + 1}-01-01`, null],
    ['db', '2/16/97', null],
    ['db', 'yesterday', null],
    ['ct', 'New York', 'newyork'],
    ['ct', 'St. Louis', 'stlouis'],
    ['ct', 'München', 'münchen'],
    ['ct', '東京', '東京'],
    ['ct', ' - ', null],
    ['st', 'CA', 'ca'],
    ['st', 'California', 'ca'],
    ['st', ' new  york ', 'ny'],
    ['st', 'District of Columbia', 'dc'],
    ['st', 'Bavaria', 'bavaria'],
    ['st', 'Île-de-France', 'îledefrance'],
    ['zp', '94035', '94035'],
    ['zp', '94035-1234', '94035'],
    ['zp', '940351234', '94035'],
    ['zp', 'M1 1AE', 'm11ae'],
    ['zp', 94035, '94035'],
    ['zp', '1', null],
    ['country', 'US', 'us'],
    ['country', 'usa', 'us'],
    ['country', 'U.S.A.', 'us'],
    ['country', 'United States of America', 'us'],
    ['country', 'UK', 'gb'],
    ['country', 'Great Britain', 'gb'],
    ['country', 'United Kingdom', 'gb'],
    ['country', 'DE', 'de'],
    ['country', 'Deutschland', 'de'],
    ['country', 'España', 'es'],
    ['country', 'The Netherlands', 'nl'],
    ['country', 'xx', null],
    ['country', 'Atlantis', null],
    ['external_id', '  User-123 ', 'user-123'],
    ['external_id', 42, '42'],
    ['external_id', '   ', null],
    ['f5first', 'Christopher', 'chris'],
    ['f5last', 'Li', 'li'],
    ['fi', 'Mary', 'm'],
    ['fi', 'Émile', 'é'],
    ['dobd', '7', '07'],
    ['dobd', '32', null],
    ['dobm', '12', '12'],
    ['dobm', 13, null],
    ['doby', '1997', '1997'],
    ['doby', '97', null],
  ];
  for (const [key, raw, expected] of cases) {
    it(`${key}: ${JSON.stringify(raw)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(normalizeValue(key, raw), expected);
      assert.equal(one(key, raw), expected === null ? undefined : sha(expected));
    });
  }
});

describe('pre-hashed values', () => {
  const hex64 = sha('john_smith@gmail.com');
  const md5 = createHash('md5').update('john_smith@gmail.com').digest('hex');

  it('passes SHA-256 hex through, lowercased, never re-hashed', () => {
    assert.equal(one('em', hex64.toUpperCase()), hex64);
    assert.equal(one('ph', `  ${hex64} `), hex64);
    assert.equal(one('external_id', hex64), hex64);
  });

  it('passes MD5 hex through', () => {
    assert.equal(one('em', md5.toUpperCase()), md5);
  });

  it('keeps a param-builder appendix as is (8 or legacy 2 chars)', () => {
    assert.equal(one('em', `${hex64.toUpperCase()}.AQQCAQMC`), `${hex64}.AQQCAQMC`);
    assert.equal(one('fn', `${hex64}.Ag`), `${hex64}.Ag`);
    const notAppendix = `${hex64}.a-_Z`;
    assert.equal(hashValue('external_id', notAppendix), sha(notAppendix.toLowerCase()), 'hashed, not passed');
  });

  it('does not treat near-misses as hashed', () => {
    assert.equal(one('external_id', hex64.slice(1)), sha(hex64.slice(1)));
    assert.equal(one('em', `${hex64}g`), undefined);
  });
});

describe('normalizeUserData', () => {
  it('passes never-hash keys through, strings trimmed', () => {
    const input = {
      client_ip_address: ' 2001:db8::1 ',
      client_user_agent: 'Mozilla/5.0 (X11)',
      fbc: 'fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890',
      fbp: 'fb.1.1558571054389.1098115397.AQQCAQMC',
      subscription_id: 'sub-1',
      fb_login_id: 1234567890,
      lead_id: 987654321,
      anon_id: 'anon',
      madid: 'AEBE52E7-03EE-455A-B3C4-E57283966239',
      page_id: '111',
      page_scoped_user_id: '222',
      ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a',
      ig_account_id: '333',
      ig_sid: '444',
      whatsapp_business_account_id: '555',
    };
    const out = normalizeUserData(input);
    assert.deepEqual(out, { ...input, client_ip_address: '2001:db8::1' });
  });

  it('passes unknown keys through unchanged and drops empty never-hash values', () => {
    const out = normalizeUserData({ app_user_id: ' Keep Me ', custom: 5, fbc: '  ', fbp: undefined });
    assert.deepEqual(out, { app_user_id: ' Keep Me ', custom: 5 });
  });

  it('drops invalid values without throwing and removes emptied keys', () => {
    const out = normalizeUserData({ em: 'nope', ph: '12', ge: 'other', fn: 'Mary', country: 'Narnia' });
    assert.deepEqual(out, { fn: sha('mary') });
  });

  it('hashes arrays, removes duplicates and invalid entries', () => {
    const out = normalizeUserData({
      em: ['John_Smith@gmail.com', ' john_smith@GMAIL.com', 'bad', sha('john_smith@gmail.com').toUpperCase()],
      ph: ['(650)555-1212', '1-650-555-1212', 16505551212 as unknown as string],
      ct: ['', '-'],
    });
    assert.deepEqual(out, {
      em: [sha('john_smith@gmail.com')],
      ph: [sha('6505551212'), sha('16505551212')],
    });
  });

  it('ignores non-string, non-number values of hashed keys', () => {
    const out = normalizeUserData({
      em: { a: 1 } as unknown as string,
      ph: Number.NaN,
      zp: true as unknown as string,
    });
    assert.deepEqual(out, {});
  });

  it('does not mutate its input', () => {
    const input = { em: 'John_Smith@gmail.com', fbp: ' fb.1.1.1 ' };
    const copy = structuredClone(input);
    normalizeUserData(input);
    assert.deepEqual(input, copy);
  });
});

describe('hashUserDataStep', () => {
  it('replaces user_data and keeps the rest of the event', () => {
    const e = {
      pixelId: '123',
      pixel: null,
      source: 'server',
      event: {
        event_name: 'Purchase',
        event_time: 1700000000,
        action_source: 'website',
        user_data: { em: 'John_Smith@gmail.com', client_ip_address: '203.0.113.9' },
        custom_data: { value: 1 },
      },
      request: { ip: null, userAgent: null, fbp: null, fbc: null, receivedAt: 0 },
      testEventCode: '',
      domain: '',
      dedupKey: null,
      publish: true,
      consent: null,
      lanes: [],
    } satisfies PipelineEvent;
    const r = hashUserDataStep(e);
    assert.ok(r.ok);
    assert.deepEqual(r.value.event.user_data, {
      em: sha('john_smith@gmail.com'),
      client_ip_address: '203.0.113.9',
    });
    assert.deepEqual(r.value.event.custom_data, { value: 1 });
    assert.equal(e.event.user_data.em, 'John_Smith@gmail.com');
  });
});
