import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  buildSchema,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isRequiredArgument,
} from 'graphql';
import { request } from 'undici';
import { loadCapigSdl, loadSdl } from '../../src/control-plane/graphql/executable-schema.js';
import { type ApiCaller, addPixelTo, apiToken, createAccount, createPerson } from '../control-plane/people.js';
import { browserEvent, serverEvent, startTestGateway, type TestGateway, type TestPixel } from '../harness.js';

// Property-based fuzzing of every public POST endpoint over real HTTP, against one gateway: whatever
// arrives, the answer is a documented 4xx or a 2xx in the documented shape, never a 5xx, the gateway
// logs no error and keeps serving, and no promise is left rejected.

const BODY_LIMIT = 65_536;
// CAPIG_FUZZ_SCALE=10 fuzzes ten times longer, for a deeper search than the test suite affords.
const SCALE = Number(process.env.CAPIG_FUZZ_SCALE ?? 1);
const RUNS = { events: 250 * SCALE, capi: 250 * SCALE, graphql: 150 * SCALE, token: 150 * SCALE, auth: 150 * SCALE };

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => void rejections.push(reason);
process.on('unhandledRejection', onRejection);

interface Answer {
  status: number;
  text: string;
  json: any;
}

describe('fuzzing the HTTP edges', () => {
  let gw: TestGateway;
  let px: TestPixel;
  let api: ApiCaller;
  const logLines: string[] = [];
  const pool = {
    tenants: [] as string[],
    pixels: [] as string[],
    users: [] as string[],
    apiAccounts: [] as string[],
  };

  before(async () => {
    gw = await startTestGateway({
      env: { CAPIG_BODY_LIMIT_BYTES: String(BODY_LIMIT), LOG_LEVEL: 'error' },
      logLines,
      lookupCname: async (host) => (host.startsWith('ok.') ? ['capig.example.net.'] : []),
    });
    px = await gw.addPixel();
    api = await apiToken(gw);
    for (let i = 0; i < 3; i++) {
      const tenantId = await createAccount(gw, { managed: i < 2 });
      pool.tenants.push(tenantId);
      pool.pixels.push((await addPixelTo(gw, tenantId)).pixelId);
    }
    pool.tenants.push(px.tenantId);
    pool.pixels.push(px.pixelId);
    pool.users.push((await createPerson(gw, { roles: [`advertiser-view-${pool.tenants[0]}`] })).userId);
    // A second API account the fuzzer may delete; its own account's id is never offered.
    pool.apiAccounts.push(
      (await gw.gateway.apiAccounts.create(`victim${randomBytes(3).toString('hex')}`, null)).account.id,
    );
  });

  after(async () => {
    process.off('unhandledRejection', onRejection);
    await gw?.stop();
  });

  async function post(path: string, body: string | undefined, headers: Record<string, string | undefined>) {
    const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    const res = await request(`${gw.url}${path}`, { method: 'POST', headers: clean, body });
    const text = await res.body.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, text, json } satisfies Answer;
  }

  /** The Graph-style error envelope of src/platform/http-app.ts. */
  function assertErrorEnvelope(a: Answer) {
    assert.equal(typeof a.json?.error?.message, 'string', `no error.message in HTTP ${a.status}: ${a.text}`);
    assert.ok(a.json.error.message.length > 0, `empty error.message: ${a.text}`);
  }

  /** Still healthy, nothing logged at error level, no rejection left unhandled. */
  async function assertStillServing() {
    const res = await request(`${gw.url}/health`);
    await res.body.text();
    assert.equal(res.statusCode, 200, 'GET /health');
    const errors = logLines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    assert.deepEqual(errors, [], 'the gateway logged errors');
    assert.deepEqual(rejections, [], 'unhandled rejections');
  }

  // ---- shared arbitraries ----

  /** Characters a header value may carry on the wire (tab, visible ASCII, obs-text). */
  const headerChar = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
    { weight: 1, arbitrary: fc.constant('\t') },
  );
  const headerValue = fc.string({ unit: headerChar, maxLength: 300 });
  const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
  const anyString = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    // NUL and other control characters: PostgreSQL text cannot hold U+0000.
    fc.string({ unit: fc.oneof(fc.constantFrom('a', '.', '@'), controlChar), minLength: 1, maxLength: 8 }),
  );
  const anyValue = fc.oneof(
    fc.anything(),
    fc.jsonValue(),
    anyString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(null, true, false, 0, -1, '', [], {}, Number.MAX_SAFE_INTEGER, 1e308),
  );

  const serialize = (v: unknown): string => {
    try {
      return JSON.stringify(v) ?? '';
    } catch {
      return String(v);
    }
  };

  const query = fc.option(
    fc.oneof(
      fc.webQueryParameters(),
      fc
        .array(
          fc.constantFrom('a', '=', '&', '%', '%zz', '%00', '+', '[', ']', '__proto__', 'x=1', '?', ';', '%E2%82'),
          {
            maxLength: 20,
          },
        )
        .map((parts) => parts.join('')),
    ),
    { nil: undefined },
  );
  const withQuery = (path: string, q: string | undefined) => (q === undefined ? path : `${path}?${q}`);

  const contentType = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constantFrom(
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/json',
        'application/json; charset=utf-8',
      ),
    },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        undefined,
        'text/plain',
        'text/plain;charset=UTF-8',
        'text/plain; charset=iso-8859-1',
        'TEXT/PLAIN; CHARSET=utf-8',
        'application/json',
        'application/json; charset=utf-8',
        'application/json;charset=utf-16',
        'application/json; charset="utf-8"',
        'application/json;;',
        'application/x-www-form-urlencoded',
        'application/x-www-form-urlencoded; charset=utf-8',
        'multipart/form-data; boundary=xyz',
        'multipart/form-data',
        'image/png',
        'application/octet-stream',
        'garbage',
        ';',
        'text/',
        '/json',
        'application/json; charset',
      ),
    },
    { weight: 1, arbitrary: headerValue },
  );

  const cookie = fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('_fbp', '_fbc', 'capig_session', 'capig_csrf', ''), fc.string({ unit: headerChar })),
        fc.oneof(fc.constantFrom('fb.1.1700000000000.123', 'fb.1.1.AbCd', ''), fc.string({ unit: headerChar })),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('; '));

  const forwardedFor = fc.oneof(
    headerValue,
    fc.ipV4(),
    fc.ipV6(),
    fc
      .array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('unknown', '', ' ', '::ffff:1.2.3.4', '999.1.1.1')), {
        maxLength: 5,
      })
      .map((ips) => ips.join(', ')),
  );

  /** An object with some fields replaced by arbitrary values, some deleted, some added. */
  function mutate(base: Record<string, unknown>, extraKeys: string[] = []) {
    const keys = [...Object.keys(base), ...extraKeys];
    return fc
      .record({
        replace: fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 4 }),
        remove: fc.subarray(keys, { maxLength: 3 }),
        add: fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 2 }),
      })
      .map(({ replace, remove, add }) => {
        const out: Record<string, unknown> = { ...base, ...add };
        for (const [k, v] of Object.entries(replace)) out[k] = v;
        for (const k of remove) delete out[k];
        return out;
      });
  }

  // ---- 1. POST /events ----

  test('POST /events answers 200, 400, 413 or 415 with the documented body, whatever arrives', async () => {
    const validEvent = () => browserEvent(px.pixelId);
    const nestedMutations = fc
      .record({
        website_context: mutate({ location: 'https://shop.example.com/p', referrer: '', isInIFrame: false }),
        custom_data: fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 5 }),
        'fb.advanced_matching': fc.dictionary(
          fc.constantFrom('em', 'ph', 'fn', 'ln', 'external_id', 'ct', 'zp', 'country', 'x'),
          anyValue,
          { maxKeys: 5 },
        ),
      })
      .map((nested) => ({ ...validEvent(), ...nested }));
    const mutatedEvent = fc.oneof(
      fc.constant(null).map(() => validEvent()),
      mutate(validEvent(), ['fb.pixel_id', 'event_time', 'event_source_url', 'user_data', 'action_source']),
      nestedMutations,
      fc.integer({ min: 0, max: 20 }).map((n) => ({ ...validEvent(), 'fb.pixel_id': pool.pixels[n % 4] })),
    );
    const body = fc.oneof(
      fc.json(),
      fc.anything().map(serialize),
      anyString,
      fc.tuple(fc.nat(), fc.constant(null)).map(([n]) => {
        const s = JSON.stringify(validEvent());
        return s.slice(0, n % s.length);
      }),
      mutatedEvent.map(serialize),
      fc.array(fc.oneof(mutatedEvent, anyValue), { maxLength: 20 }).map(serialize),
      fc.integer({ min: -3000, max: 3000 }).map((d) => {
        const skeleton = JSON.stringify(browserEvent(px.pixelId, { custom_data: { blob: '' } }));
        return JSON.stringify(
          browserEvent(px.pixelId, {
            custom_data: { blob: 'x'.repeat(Math.max(0, BODY_LIMIT - skeleton.length + d)) },
          }),
        );
      }),
      fc.constantFrom('', ' ', 'null', '[]', '{}', '[[]]', '"x"', '1e999', '{"__proto__":{"x":1}}'),
    );

    await fc.assert(
      fc.asyncProperty(
        body,
        contentType,
        fc.record(
          {
            'user-agent': headerValue,
            cookie,
            'x-forwarded-for': forwardedFor,
            origin: fc.oneof(headerValue, fc.webUrl()),
            referer: headerValue,
          },
          { requiredKeys: [] },
        ),
        query,
        async (b, ct, headers, q) => {
          const a = await post(withQuery('/events', q), b, { ...headers, 'content-type': ct });
          assert.ok([200, 400, 413, 415].includes(a.status), `HTTP ${a.status}: ${a.text}`);
          if (a.status === 200) assert.equal(typeof a.json?.queued, 'number', a.text);
          else assertErrorEnvelope(a);
        },
      ),
      {
        numRuns: RUNS.events,
        // Found by this test: U+0000 in an event failed the whole group commit with 503s.
        examples: [
          [serialize(browserEvent(px.pixelId, { custom_data: { 'k\u0000': 'v\u0000' } })), 'text/plain', {}, undefined],
        ],
      },
    );
    await assertStillServing();
  });

  // ---- 2. POST /capi/{pixelId}/events ----

  test('POST /capi/{pixelId}/events answers 200 or a 4xx naming what is wrong, whatever arrives', async () => {
    const eventTime = fc.oneof(
      fc.integer(),
      fc.integer({ min: -8 * 86400, max: 3600 }).map((d) => Math.floor(Date.now() / 1000) + d),
      fc.constant(null).map(() => Date.now()),
      fc.string(),
      fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }).map(String),
      fc.double(),
    );
    const mutatedEvent = fc.oneof(
      { weight: 2, arbitrary: fc.constant(null).map(() => serverEvent()) },
      {
        weight: 4,
        arbitrary: mutate(serverEvent(), ['data_processing_options', 'opt_out', 'app_data', 'original_event_data']),
      },
      { weight: 2, arbitrary: eventTime.map((t) => serverEvent({ event_time: t })) },
      {
        weight: 2,
        arbitrary: mutate(serverEvent().user_data as Record<string, unknown>, [
          'fbp',
          'fbc',
          'external_id',
          'ph',
          'client_ip_address',
        ]).map((user_data) => serverEvent({ user_data })),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom('app', 'email', 'website', 'physical_store', 'chat', 'other', 'system_generated', 'x', '')
          .map((action_source) => serverEvent({ action_source })),
      },
      { weight: 1, arbitrary: anyValue },
    );
    // Valid events with odd but allowed contents reach the queue and the publisher.
    const oddButValid = fc
      .record(
        {
          custom_data: fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 5 }),
          event_name: fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.string({ unit: 'binary', minLength: 1 })),
          event_id: fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
          event_source_url: fc.webUrl({ withQueryParameters: true, withFragments: true }),
          user_data: fc
            .dictionary(
              fc.constantFrom('em', 'ph', 'fn', 'external_id', 'fbp', 'fbc', 'client_ip_address', 'zz'),
              fc.oneof(anyString, fc.array(anyString, { maxLength: 3 })),
              { maxKeys: 5 },
            )
            .map((u) => ({ ...u, client_user_agent: 'Mozilla/5.0 (Fuzz)' })),
        },
        { requiredKeys: [] },
      )
      .map((o) => serverEvent(o));
    const data = fc.oneof(
      { weight: 4, arbitrary: fc.array(mutatedEvent, { maxLength: 12 }) },
      { weight: 4, arbitrary: fc.array(oddButValid, { minLength: 1, maxLength: 8 }) },
      { weight: 1, arbitrary: fc.array(mutatedEvent, { maxLength: 5 }).map(serialize) },
      { weight: 1, arbitrary: anyValue },
    );
    const pixelSegment = fc.oneof(
      { weight: 10, arbitrary: fc.constant('REAL') },
      { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 20n - 1n }).map(String) },
      { weight: 1, arbitrary: fc.constantFrom(...pool.pixels) },
      {
        weight: 1,
        arbitrary: fc
          .string({ unit: 'grapheme', minLength: 1, maxLength: 120 })
          .filter((s) => s !== '.' && s !== '..')
          .map(encodeURIComponent),
      },
    );
    const key = fc.oneof(
      { weight: 8, arbitrary: fc.constant('REAL') },
      { weight: 1, arbitrary: fc.constant('NONE') },
      { weight: 1, arbitrary: fc.constant('BODY') },
      { weight: 1, arbitrary: headerValue },
    );
    const transport = fc.oneof(
      { weight: 8, arbitrary: fc.constant('json') },
      { weight: 1, arbitrary: fc.constant('form') },
      { weight: 1, arbitrary: contentType },
    );

    await fc.assert(
      fc.asyncProperty(
        data,
        fc.oneof(
          { weight: 6, arbitrary: fc.constant(undefined) },
          { weight: 3, arbitrary: fc.string({ maxLength: 110 }) },
          { weight: 1, arbitrary: anyValue },
        ),
        fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 3 }),
        pixelSegment,
        key,
        transport,
        query,
        async (d, testEventCode, extra, segment, k, how, q) => {
          const pixelId = segment === 'REAL' ? px.pixelId : segment;
          const payload: Record<string, unknown> = { ...extra, data: d };
          if (testEventCode !== undefined) payload.test_event_code = testEventCode;
          if (k === 'BODY') payload.accessKey = px.accessKey;
          const bearer = k === 'REAL' ? `Bearer ${px.accessKey}` : k === 'NONE' || k === 'BODY' ? undefined : k;
          let body: string;
          let ct: string | undefined;
          if (how === 'form') {
            ct = 'application/x-www-form-urlencoded';
            body = new URLSearchParams(
              Object.entries(payload).map(([n, v]) => [n, typeof v === 'string' ? v : serialize(v)]),
            ).toString();
          } else {
            ct = how === 'json' ? 'application/json' : how;
            body = serialize(payload);
          }
          const a = await post(withQuery(`/capi/${pixelId}/events`, q), body, {
            'content-type': ct,
            authorization: bearer,
          });
          assert.ok([200, 400, 401, 403, 404, 413, 415].includes(a.status), `HTTP ${a.status}: ${a.text}`);
          if (a.status === 200) {
            assert.equal(typeof a.json?.events_received, 'number', a.text);
            assert.ok(Array.isArray(a.json.messages), a.text);
            return;
          }
          assertErrorEnvelope(a);
          const invalid = a.json.error.error_data?.invalid_events;
          if (a.json.error.error_data !== undefined) {
            assert.equal(a.status, 400, a.text);
            assert.ok(Array.isArray(invalid) && invalid.length > 0, a.text);
            const sent = typeof d === 'string' ? JSON.parse(d) : d;
            for (const i of invalid) {
              assert.ok(Number.isInteger(i.index) && i.index >= 0 && i.index < sent.length, a.text);
              assert.ok(Array.isArray(i.errors) && i.errors.length > 0, a.text);
              for (const e of i.errors) assert.equal(typeof e, 'string', a.text);
            }
          }
        },
      ),
      {
        numRuns: RUNS.capi,
        // Found by this test (shrunk): an event_id of "\u0000" was answered 503 (and would be retried forever).
        examples: [[[serverEvent({ event_id: '\u0000' })], undefined, {}, 'REAL', 'REAL', 'json', undefined]],
      },
    );
    await assertStillServing();
  });

  // ---- 3. POST /hub/graphql/ and /capig/graphql/ ----

  const SCHEMAS = { hub: buildSchema(loadSdl('hub.graphql')), capig: buildSchema(loadCapigSdl()) };

  /** Every field reachable from a root within a few levels, with the fields leading to it. */
  function operationPaths(schema: GraphQLSchema) {
    const out: { kind: 'query' | 'mutation'; fields: GraphQLField<unknown, unknown>[] }[] = [];
    for (const [kind, root] of [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
    ] as const) {
      const walk = (type: GraphQLObjectType, trail: GraphQLField<unknown, unknown>[]) => {
        for (const field of Object.values(type.getFields())) {
          const next = [...trail, field];
          out.push({ kind, fields: next });
          const named = getNamedType(field.type);
          if (isObjectType(named) && next.length < 3) walk(named, next);
        }
      };
      if (root) walk(root, []);
    }
    return out;
  }

  /** Selects every argument-free field down to `depth` levels (only __typename below that). */
  function selectAll(type: GraphQLObjectType, depth: number): string {
    if (depth <= 0) return '{ __typename }';
    const parts = ['__typename'];
    for (const f of Object.values(type.getFields())) {
      if (f.args.some(isRequiredArgument)) continue;
      const named = getNamedType(f.type);
      if (isLeafType(named)) parts.push(f.name);
      else if (isObjectType(named)) parts.push(`${f.name} ${selectAll(named, depth - 1)}`);
    }
    return `{ ${parts.join(' ')} }`;
  }

  const strings = () =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          ...pool.tenants,
          ...pool.pixels,
          ...pool.users,
          ...pool.apiAccounts,
          'agency-admin',
          'agency-view',
          `advertiser-view-${pool.tenants[0]}`,
          `advertiser-admin-${pool.tenants[1]}`,
          'advertiser-admin',
          'someone@example.com',
          'NOT AN EMAIL',
          '2030-12-31',
          '2001-02-30',
          'yesterday',
          'ok.shop.example.com',
          'capig.example.net',
          'shop.example.com',
          'https://shop.example.com',
          'Purchase',
          'a-long-enough-password',
          'token-abc',
          'nul\u0000inside',
          '',
          ' ',
          '0',
          '-1',
        ),
      },
      { weight: 2, arbitrary: anyString },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 60_000 }).map((n) => 'x'.repeat(n)) },
    );

  /** Strings for an argument or input field, mostly ones its name asks for (ids that exist, roles, dates). */
  function stringFor(name: string): fc.Arbitrary<unknown> {
    const wanted: [RegExp, string[]][] = [
      [/tenant/i, pool.tenants],
      [/pixel|^id$/i, pool.pixels],
      [/user/i, pool.users],
      [
        /role/i,
        ['agency-admin', 'agency-view', `advertiser-view-${pool.tenants[0]}`, `advertiser-admin-${pool.tenants[1]}`],
      ],
      [/email/i, ['someone@example.com', 'Other@Example.COM']],
      [/expiry/i, ['2030-12-31', '2001-02-30']],
      [/ingress/i, ['ok.shop.example.com', 'shop.example.com']],
      [/target/i, ['capig.example.net']],
      [/domain/i, ['shop.example.com', 'https://shop.example.com/']],
      [/eventName/i, ['Purchase', 'PageView']],
    ];
    const hit = wanted.find(([re]) => re.test(name));
    const known = fc.constantFrom(...(hit?.[1] ?? pool.tenants));
    return fc.oneof(
      { weight: hit ? 6 : 0, arbitrary: known },
      { weight: 2, arbitrary: strings() },
      // What is asked for, with a control character (NUL, say) inside.
      {
        weight: 2,
        arbitrary: fc
          .tuple(known, controlChar, fc.nat())
          .map(([k, c, at]) => `${k.slice(0, at % (k.length + 1))}${c}${k.slice(at % (k.length + 1))}`),
      },
    );
  }

  /** Values for a GraphQL input type: mostly well typed, sometimes not, sometimes missing. */
  function inputValue(type: GraphQLInputType, hint: string): fc.Arbitrary<unknown> {
    const wrong = { weight: 1, arbitrary: anyValue };
    if (isNonNullType(type)) return fc.oneof({ weight: 12, arbitrary: inputValue(type.ofType, hint) }, wrong);
    const nullable = { weight: 1, arbitrary: fc.constant(null) };
    if (isListType(type)) {
      const item = inputValue(type.ofType as GraphQLInputType, hint);
      return fc.oneof(
        { weight: 8, arbitrary: fc.array(item, { maxLength: 5 }) },
        { weight: 2, arbitrary: item },
        nullable,
        wrong,
      );
    }
    if (isEnumType(type)) {
      return fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...type.getValues().map((v) => v.name)) },
        nullable,
        wrong,
      );
    }
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields());
      const shape = Object.fromEntries(fields.map((f) => [f.name, inputValue(f.type, f.name)]));
      const required = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
      return fc.oneof(
        { weight: 8, arbitrary: fc.record(shape, { requiredKeys: required }) },
        { weight: 2, arbitrary: fc.record(shape, { requiredKeys: [] }) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.record(shape, { requiredKeys: required }), fc.dictionary(fc.string({ maxLength: 8 }), anyValue))
            .map(([a, b]) => ({ ...b, ...a })),
        },
        nullable,
        wrong,
      );
    }
    const typed: Record<string, fc.Arbitrary<unknown>> = {
      Int: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: -2, max: 100_000 }) },
        { weight: 1, arbitrary: fc.constantFrom(0, 1, 2, 3, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1.5, Number.NaN) },
        { weight: 1, arbitrary: fc.integer() },
      ),
      Float: fc.double(),
      Boolean: fc.boolean(),
      Long: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 12 })),
    };
    return fc.oneof({ weight: 8, arbitrary: typed[type.name] ?? stringFor(hint) }, nullable, wrong);
  }

  /** A document for one operation path, every argument a variable; sometimes declared with a wrong type. */
  function documentFor(path: { kind: 'query' | 'mutation'; fields: GraphQLField<unknown, unknown>[] }) {
    const vars: { name: string; type: GraphQLInputType }[] = [];
    const argsOf = (field: GraphQLField<unknown, unknown>, level: number) => {
      if (field.args.length === 0) return '';
      const list = field.args.map((arg) => {
        const name = `v${level}_${arg.name}`;
        vars.push({ name, type: arg.type });
        return `${arg.name}: $${name}`;
      });
      return `(${list.join(', ')})`;
    };
    const last = path.fields.length - 1;
    return fc
      .record({
        selectDepth: fc.integer({ min: 0, max: 4 }),
        retype: fc.oneof(
          { weight: 8, arbitrary: fc.constant(null) },
          {
            weight: 1,
            arbitrary: fc.tuple(
              fc.nat(),
              fc.constantFrom('Int', 'String!', '[ID]', 'Boolean', 'Float!', '[[String!]!]', 'ID'),
            ),
          },
        ),
        operationName: fc.oneof(
          { weight: 16, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constant('Fuzz') },
          { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constant(null), anyValue) },
        ),
      })
      .chain(({ selectDepth, retype, operationName }) => {
        vars.length = 0;
        let inner = '';
        for (let i = last; i >= 0; i--) {
          const field = path.fields[i] as GraphQLField<unknown, unknown>;
          const named = getNamedType(field.type);
          const selection = i === last ? (isObjectType(named) ? selectAll(named, selectDepth) : '') : `{ ${inner} }`;
          inner = `${field.name}${argsOf(field, i)} ${selection}`;
        }
        const declared = [...vars];
        const retyped = retype ? retype[0] % Math.max(1, declared.length) : -1;
        const defs = declared.map((v, i) => `$${v.name}: ${i === retyped && retype ? retype[1] : String(v.type)}`);
        const head = `${path.kind} Fuzz${defs.length ? `(${defs.join(', ')})` : ''}`;
        const variables = fc.record(
          Object.fromEntries(declared.map((v) => [v.name, inputValue(v.type, v.name.replace(/^v\d+_/, ''))])),
          { requiredKeys: declared.filter((v) => isNonNullType(v.type)).map((v) => v.name) },
        );
        return variables.map((vs) => ({
          query: `${head} { ${inner} }`,
          variables: vs,
          ...(operationName === undefined ? {} : { operationName }),
        }));
      });
  }

  const tokenSoup = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '{',
          '}',
          '(',
          ')',
          '[',
          ']',
          'query',
          'mutation',
          'subscription',
          '$v',
          ':',
          'ID!',
          'String',
          'tenants',
          'tenantQueries',
          'tenantMutations',
          'users',
          'me',
          '...',
          'fragment F on Tenant',
          '...F',
          'on',
          'Tenant',
          '@skip(if: true)',
          '@include(if: $v)',
          '"str"',
          '"""block"""',
          '#',
          '\n',
          'id',
          'name',
          '__typename',
          '__schema',
          '__type(name: "Tenant")',
          'tenantId: "x"',
          '=',
          ',',
          '1e9999',
          '\u0000',
        ),
        fc.string({ maxLength: 6 }),
      ),
      { maxLength: 60 },
    )
    .map((t) => t.join(' '));

  const deepNesting = fc
    .tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom('users { tenants', 'tenants { users', 'a { b'))
    .map(([n, pair]) => {
      const [a, b] = pair.split(' { ') as [string, string];
      // Resolved nesting multiplies the work per level: keep real fields shallow, fake ones deep.
      const levels = a === 'a' ? n : Math.min(n, 3) + (n > 12 ? 12 : 0);
      let q = '__typename';
      for (let i = 0; i < levels; i++) q = `${i % 2 ? b : a} { id ${q} }`;
      return { query: `{ ${q} }` };
    });

  function graphqlBody(schema: GraphQLSchema) {
    const paths = operationPaths(schema);
    return fc.oneof(
      {
        weight: 10,
        arbitrary: fc
          .constantFrom(...paths)
          .chain(documentFor)
          .map(serialize),
      },
      { weight: 1, arbitrary: fc.json() },
      { weight: 1, arbitrary: fc.record({ query: tokenSoup, variables: fc.option(anyValue) }).map(serialize) },
      {
        weight: 1,
        arbitrary: fc
          .record({ query: anyValue, variables: anyValue, operationName: anyValue }, { requiredKeys: [] })
          .map(serialize),
      },
      { weight: 1, arbitrary: deepNesting.map(serialize) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '{"query":"{ __schema { types { name fields { name } } } }"}',
          '{"query":"query A { __typename } query B { __typename }"}',
          '{"query":"query A { __typename } query B { __typename }","operationName":"C"}',
          '{"query":"subscription { x }"}',
          '{"query":"{ __typename }","variables":[]}',
          '{"query":"{ __typename }","variables":"{}"}',
          '{"query":"   "}',
          `{"query":"${'{ __typename '.repeat(3000)}"}`,
          '',
          '[]',
        ),
      },
    );
  }

  for (const which of ['capig', 'hub'] as const) {
    test(`POST /${which}/graphql/ never fails with a 5xx or an error code 500`, async () => {
      const allowed = new Set([400, 401, 404, 409, 418]);
      await fc.assert(
        fc.asyncProperty(
          graphqlBody(SCHEMAS[which]),
          fc.oneof(
            { weight: 12, arbitrary: fc.constant('REAL') },
            { weight: 1, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: headerValue },
          ),
          fc.oneof({ weight: 12, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentType }),
          fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: cookie }),
          fc.boolean(),
          async (body, auth, ct, cookieHeader, slash) => {
            const a = await post(`/${which}/graphql${slash ? '/' : ''}`, body, {
              'content-type': ct,
              authorization: auth === 'REAL' ? `Bearer ${api.token}` : auth,
              cookie: cookieHeader,
            });
            // 429: guessing is throttled per client id and address (every wrong secret counts).
            assert.ok([200, 400, 401, 413, 415, 429].includes(a.status), `HTTP ${a.status}: ${a.text}`);
            if (a.status === 413 || a.status === 415) return assertErrorEnvelope(a);
            assert.ok(a.json && typeof a.json === 'object', `not JSON: ${a.text}`);
            if (a.status !== 200) {
              const first = a.json.errors?.[0];
              assert.equal(typeof first?.message, 'string', a.text);
              assert.ok(first.message.length > 0, a.text);
              assert.equal(typeof first.extensions?.code, 'number', a.text);
              return;
            }
            for (const e of a.json.errors ?? []) {
              assert.ok(allowed.has(e.extensions?.code), `error code ${e.extensions?.code}: ${a.text}`);
              assert.equal(typeof e.message, 'string', a.text);
            }
          },
        ),
        {
          numRuns: RUNS.graphql,
          // Found by this test (shrunk): U+0000 in a string reached PostgreSQL and came back as code 500.
          examples: [
            [
              serialize(
                which === 'hub'
                  ? {
                      query: 'query Fuzz($t: String!) { tenant(tenantId: $t) { canEditTenantUsersInUI } }',
                      variables: { t: `\u0000${pool.tenants[0]}` },
                    }
                  : {
                      query:
                        'mutation Fuzz($t: ID!, $i: UpdateEventFilterInput!) { tenantMutations(tenantId: $t) { updateEventFilter(input: $i) { updatedFilter { id } } } }',
                      variables: { t: pool.tenants[0], i: { eventName: 'a\u0000b', filterState: 'DROP' } },
                    },
              ),
              'REAL',
              'application/json',
              undefined,
              false,
            ],
          ],
        },
      );
      await assertStillServing();
    });
  }

  // ---- 4. POST /clients/token ----

  test('POST /clients/token answers 200 or a 4xx, whatever arrives', async () => {
    const { secret } = await gw.gateway.apiAccounts.create('fuzz-client', null);
    const field = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('client_id', 'client_secret', 'grant_type') },
      { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    );
    const fieldValue = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          'fuzz-client',
          secret,
          'client_credentials',
          'password',
          '',
          'nobody',
          secret.slice(1),
          'fuzz\u0000client',
        ),
      },
      { weight: 1, arbitrary: anyString },
    );
    // Most bodies stop before the secret check: every check runs scrypt, ~50 ms.
    const fields = fc.array(fc.tuple(field, fieldValue), { maxLength: 6 });
    const multipart = fc
      .tuple(
        fields,
        fc.string({ unit: fc.constantFrom('a', 'b', '-', '0'), minLength: 1, maxLength: 20 }),
        fc.boolean(),
      )
      .map(([pairs, boundary, crlf]) => {
        const nl = crlf ? '\r\n' : '\n';
        const parts = pairs.map(
          ([n, v]) => `--${boundary}${nl}Content-Disposition: form-data; name="${n}"${nl}${nl}${v}${nl}`,
        );
        return { ct: `multipart/form-data; boundary=${boundary}`, body: `${parts.join('')}--${boundary}--${nl}` };
      });
    const nearlyValid = fc
      .tuple(
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'multipart/form-data; boundary=b0'),
        fc.option(fc.tuple(fc.constantFrom('client_id', 'client_secret', 'grant_type'), fieldValue), { freq: 2 }),
      )
      .map(([ct, spoil]) => {
        const creds: Record<string, string> = {
          client_id: 'fuzz-client',
          client_secret: secret,
          grant_type: 'client_credentials',
        };
        if (spoil) creds[spoil[0]] = spoil[1];
        const body = ct.startsWith('multipart')
          ? `${Object.entries(creds)
              .map(([n, v]) => `--b0\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`)
              .join('')}--b0--\r\n`
          : ct === 'application/json'
            ? JSON.stringify(creds)
            : new URLSearchParams(creds).toString();
        return { ct, body };
      });
    const body = fc.oneof(
      nearlyValid,
      fields.map((pairs) => ({
        ct: 'application/x-www-form-urlencoded',
        body: new URLSearchParams(pairs).toString(),
      })),
      fields.map((pairs) => ({ ct: 'application/json', body: serialize(Object.fromEntries(pairs)) })),
      fc.record({ ct: fc.constant('application/json'), body: fc.oneof(fc.json(), fc.anything().map(serialize)) }),
      multipart,
      fc.record({
        ct: fc.constantFrom(
          'multipart/form-data; boundary=zz',
          'multipart/form-data',
          'multipart/form-data; boundary=',
        ),
        body: fc.oneof(anyString, fc.constant('--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\n')),
      }),
      fc.record({ ct: contentType, body: fc.oneof(anyString, fc.json()) }),
      fc.record({
        ct: fc.constant('application/x-www-form-urlencoded'),
        body: fc.oneof(anyString, fc.webQueryParameters(), fc.constant('%%%&&==')),
      }),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async ({ ct, body: b }, slash) => {
        const a = await post(`/clients/token${slash ? '/' : ''}`, b, { 'content-type': ct });
        assert.ok([200, 400, 401, 413, 415].includes(a.status), `HTTP ${a.status}: ${a.text}`);
        assert.ok(a.json && typeof a.json === 'object', `not JSON: ${a.text}`);
        if (a.status === 200) assert.equal(typeof a.json.access_token, 'string', a.text);
        else assert.ok(typeof a.json.error === 'string' || typeof a.json.error?.message === 'string', a.text);
      }),
      {
        numRuns: RUNS.token,
        // Found by this test (shrunk): a client_id holding U+0000 was answered 500.
        examples: [
          [
            {
              ct: 'application/x-www-form-urlencoded',
              body: `client_id=fuzz%00client&client_secret=${secret}&grant_type=client_credentials`,
            },
            false,
          ],
        ],
      },
    );
    await assertStillServing();
  });

  test('POST /auth/* (login, setup, signup, reset, forgot, logout) answers 2xx or a 4xx with a message', async () => {
    const route = fc.constantFrom('login', 'setup', 'signup', 'reset', 'forgot', 'logout');
    const field = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('email', 'password', 'token') },
      { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    );
    const fieldValue = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('a@b.example', 'x'.repeat(300), '', 'a-long-password', 'a\u0000b') },
      { weight: 2, arbitrary: anyString },
      { weight: 1, arbitrary: fc.anything() },
    );
    const body = fc.oneof(
      fc.dictionary(field, fieldValue, { maxKeys: 4 }).map((o) => ({ ct: 'application/json', body: serialize(o) })),
      fc.record({ ct: contentType, body: fc.oneof(anyString, fc.json()) }),
      fc.record({ ct: fc.constant('application/x-www-form-urlencoded'), body: fc.webQueryParameters() }),
    );
    await fc.assert(
      fc.asyncProperty(route, body, fc.boolean(), async (r, { ct, body: b }, slash) => {
        const a = await post(`/auth/${r}${slash ? '/' : ''}`, b, { 'content-type': ct });
        assert.ok(a.status < 500, `POST /auth/${r}: HTTP ${a.status}: ${a.text}`);
        if (a.status >= 400) assertErrorEnvelope(a);
      }),
      {
        numRuns: RUNS.auth,
        // Found by this test: a JSON null body was never answered (the request hung).
        examples: [['forgot', { ct: 'text/plain; charset=iso-8859-1', body: 'null' }, true]],
      },
    );
    await assertStillServing();
  });
});
