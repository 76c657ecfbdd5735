import { sha256Hex } from '../../pipeline/steps/hash-user-data.js';
import {
  type Context,
  type Emitter,
  type FS,
  ForTag,
  type Liquid as LiquidEngine,
  Liquid,
  type Parser,
  type Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
} from 'liquidjs';

// A custom destination's payload is a Liquid template an account's admin writes, run here on the
// publisher. It is sandboxed: no file system (include, render and layout are refused), nothing in
// scope but the events, prototypes hidden, unknown filters refused, and bounded parse, render time,
// memory and output.

export const TEMPLATE_MAX_BYTES = 64 * 1024;
/** The rendered body: a batch of 1,000 events at a few KB each fits. */
const RENDERED_MAX_BYTES = 16 * 1024 * 1024;
const RENDER_LIMIT_MS = 1_000;
const MEMORY_LIMIT = 64 * 1024 * 1024;

const NO_FILES =
  'templates cannot read files: include, render and layout are not available (write the payload in one template)';

/** The file system templates see: none. */
const REFUSING_FS: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error(NO_FILES);
  },
  readFileSync: () => {
    throw new Error(NO_FILES);
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

/** include, render and layout fail when the template is parsed, so saving one says why. */
class NoFilesTag {
  constructor(token: TagToken) {
    throw new Error(`{% ${token.name} %}: ${NO_FILES}`);
  }
}

// Events put in the context, so a loop over them can tell its items are events.
const contextEvents = new WeakSet<object>();

/**
 * Meta's sample template loops `{% for event in events %}` and writes `{{event_name}}` in the loop:
 * the loop's body sees the current event's fields as plain names. The standard for tag is kept and
 * its body wrapped in a scope holding the current event's fields (the loop variable and forloop win).
 */
class EventFieldsScope {
  constructor(
    private readonly liquid: LiquidEngine,
    private readonly variable: string,
    private readonly inner: Template[],
  ) {}
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const item = ctx.getSync([this.variable]);
    if (!item || typeof item !== 'object' || !contextEvents.has(item)) {
      yield this.liquid.renderer.renderTemplates(this.inner, ctx, emitter);
      return;
    }
    const scope = Object.create(null) as Record<string, unknown>;
    // The first event's fields are at the top level too: another event without them must not see them.
    for (const key of Object.keys(ctx.environments)) if (key !== 'events' && key !== 'event') scope[key] = undefined;
    for (const key of Object.getOwnPropertyNames(item)) scope[key] = (item as Record<string, unknown>)[key];
    scope[this.variable] = item;
    scope.forloop = ctx.getSync(['forloop']);
    ctx.push(scope);
    try {
      yield this.liquid.renderer.renderTemplates(this.inner, ctx, emitter);
    } finally {
      ctx.pop();
    }
  }
  /** For static analysis (isBatchTemplate), which walks into the loop's body. */
  children(): Template[] {
    return this.inner;
  }
}

class EventForTag extends ForTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: LiquidEngine, parser: Parser) {
    super(token, remainTokens, liquid, parser);
    this.templates = [new EventFieldsScope(liquid, this.variable, this.templates) as unknown as Template];
  }
}

let shared: Liquid | null = null;

/** The one engine (options only, no state between renders), made on first use. */
function engine(): Liquid {
  if (shared) return shared;
  const liquid = new Liquid({
    fs: REFUSING_FS,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    globals: {},
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    cache: false,
    parseLimit: TEMPLATE_MAX_BYTES,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
  });
  for (const name of ['include', 'render', 'layout']) {
    liquid.registerTag(name, NoFilesTag as unknown as new (...args: unknown[]) => Tag);
  }
  liquid.registerTag('for', EventForTag);
  liquid.registerFilter('hash256', hash256);
  // Liquid's json writes nothing for a missing value, which breaks `"value": {{ value | json }}`.
  liquid.registerFilter('json', function (this: { context: Context }, value: unknown, space = 0) {
    const text = JSON.stringify(value ?? null, null, Number(space) || 0) ?? 'null';
    this.context.memoryLimit.use(text.length);
    return text;
  });
  shared = liquid;
  return liquid;
}

/**
 * SHA-256 hex of the trimmed, lower-cased value, as Meta wants customer information; a value that is
 * already a SHA-256 hex passes through, so hashing twice is harmless. Empty stays empty.
 */
export function hash256(value: unknown): string | string[] {
  if (Array.isArray(value)) return value.map((v) => hash256(v) as string);
  if (value === null || value === undefined) return '';
  const text = String(value).trim().toLowerCase();
  if (text === '') return '';
  if (/^[0-9a-f]{64}$/.test(text)) return text;
  return sha256Hex(text);
}

const parsedCache = new Map<string, Template[]>();
const PARSED_CACHE_SIZE = 200;

function parse(text: string): Template[] {
  const hit = parsedCache.get(text);
  if (hit) return hit;
  if (Buffer.byteLength(text) > TEMPLATE_MAX_BYTES) {
    throw new Error(`the template is larger than ${TEMPLATE_MAX_BYTES / 1024} KB`);
  }
  const templates = engine().parse(text);
  if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.delete(parsedCache.keys().next().value as string);
  parsedCache.set(text, templates);
  return templates;
}

/** Every problem with a template, for the editor and the mutations that save one; empty when it parses. */
export function validateTemplate(text: string): string[] {
  if (text.trim() === '') return ['the template is empty'];
  try {
    parse(text);
    return [];
  } catch (err) {
    return [errorText(err)];
  }
}

/**
 * Whether the template renders one request for the whole batch (it names `events`) or one per event.
 * The publisher claims one event at a time for a per-event template.
 */
export function isBatchTemplate(text: string): boolean {
  try {
    return 'events' in engine().analyzeSync(parse(text)).globals;
  } catch {
    return /\bevents\b/.test(text);
  }
}

export type RenderedPayload = { ok: true; body: string; contentType: string } | { ok: false; error: string };

/** Renders the template over the events (each as the queue stored it). Never throws. */
export async function renderTemplate(text: string, eventsJson: string[]): Promise<RenderedPayload> {
  let templates: Template[];
  try {
    templates = parse(text);
  } catch (err) {
    return { ok: false, error: `the template does not parse: ${errorText(err)}` };
  }
  let scope: Record<string, unknown>;
  try {
    scope = templateContext(eventsJson.map((e) => JSON.parse(e) as Record<string, unknown>));
  } catch (err) {
    return { ok: false, error: `an event is not valid JSON: ${errorText(err)}` };
  }
  const started = performance.now();
  try {
    const body = String(await engine().render(templates, scope));
    if (Buffer.byteLength(body) > RENDERED_MAX_BYTES) {
      return { ok: false, error: `the rendered payload is larger than ${RENDERED_MAX_BYTES / 1024 / 1024} MB` };
    }
    return { ok: true, body, contentType: contentTypeOf(body) };
  } catch (err) {
    // LiquidJS sometimes loses its own "render limit exceeded" while unwinding nested loops (it
    // then throws a TypeError of its own): the clock says what happened.
    if (performance.now() - started >= RENDER_LIMIT_MS) {
      return { ok: false, error: `the template failed to render: render time limit exceeded (${RENDER_LIMIT_MS} ms)` };
    }
    return { ok: false, error: `the template failed to render: ${errorText(err)}` };
  }
}

/** JSON when the body is JSON, a form when it looks like one, else plain text. */
export function contentTypeOf(body: string): string {
  const trimmed = body.trim();
  if (trimmed !== '') {
    try {
      JSON.parse(trimmed);
      return 'application/json';
    } catch {}
  }
  if (/^[\w.~%[\]-]+=[^&=\s]*(&[\w.~%[\]-]+=[^&=\s]*)*$/.test(trimmed)) return 'application/x-www-form-urlencoded';
  return 'text/plain; charset=utf-8';
}

const FLATTENED = ['user_data', 'custom_data', 'app_data'] as const;

/**
 * What a template sees: `events`, each the event with its user_data, custom_data and app_data
 * fields also at its top level (not enumerable, so `{{ event | json }}` is the event as Meta gets
 * it), and the first event's fields at the top level with `event` when there is one event, so a
 * per-event template writes `{{ event_name }}` or `{{ event.value }}`.
 */
function templateContext(events: Array<Record<string, unknown>>): Record<string, unknown> {
  const flattened = events.map(flattenEvent);
  const scope = Object.create(null) as Record<string, unknown>;
  const first = flattened[0];
  if (first) {
    for (const key of Object.getOwnPropertyNames(first)) scope[key] = first[key];
  }
  if (flattened.length === 1) scope.event = first;
  scope.events = flattened;
  return scope;
}

function flattenEvent(raw: Record<string, unknown>): Record<string, unknown> {
  const event = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
  const hidden = (key: string, value: unknown) => {
    if (!Object.hasOwn(event, key)) Object.defineProperty(event, key, { value, enumerable: false });
  };
  for (const group of FLATTENED) {
    const fields = event[group];
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) continue;
    for (const [key, value] of Object.entries(fields)) hidden(key, value);
  }
  // Meta's sample template calls the advertising id mobile_advertiser_id; the event has user_data.madid.
  const madid = (event.user_data as Record<string, unknown> | undefined)?.madid;
  if (madid !== undefined) hidden('mobile_advertiser_id', madid);
  contextEvents.add(event);
  return event;
}

function errorText(err: unknown): string {
  const e = err as Error;
  return (e?.message ?? String(err)).slice(0, 500);
}

/** The kept template library; an account's own templates are in payload_templates. */
export const BUILT_IN_TEMPLATES: ReadonlyArray<{ id: string; name: string; body: string }> = [
  {
    id: 'builtin_conversions_api_batch',
    name: 'Conversions API batch (JSON)',
    body: `{"data": [
{%- for event in events %}
  {{ event | json }}{% unless forloop.last %},{% endunless %}
{%- endfor %}
]}
`,
  },
  {
    id: 'builtin_meta_sample',
    name: "Meta's sample (JSON, one object per event)",
    body: `[
{%- for event in events %}
  {
    "event_name": {{ event_name | json }},
    "event_time": {{ event_time | json }},
    "event_id": {{ event_id | json }},
    "action_source": {{ action_source | json }},
    "mobile_advertiser_id": {{ mobile_advertiser_id | json }},
    "client_ip_address": {{ client_ip_address | json }},
    "currency": {{ currency | json }},
    "value": {{ value | json }},
    "num_items": {{ num_items | json }},
    "advertiser_tracking_enabled": {{ advertiser_tracking_enabled | json }},
    "application_tracking_enabled": {{ application_tracking_enabled | json }}
  }{% unless forloop.last %},{% endunless %}
{%- endfor %}
]
`,
  },
  {
    id: 'builtin_flat_event',
    name: 'One flat JSON object per event',
    body: `{
  "event_name": {{ event_name | json }},
  "event_time": {{ event_time | json }},
  "event_id": {{ event_id | json }},
  "action_source": {{ action_source | json }},
  "event_source_url": {{ event_source_url | json }},
  "value": {{ value | json }},
  "currency": {{ currency | json }},
  "content_ids": {{ content_ids | json }},
  "order_id": {{ order_id | json }},
  "email_sha256": {{ em | hash256 | json }},
  "phone_sha256": {{ ph | hash256 | json }},
  "external_id": {{ external_id | json }},
  "client_ip_address": {{ client_ip_address | json }},
  "client_user_agent": {{ client_user_agent | json }},
  "fbp": {{ fbp | json }},
  "fbc": {{ fbc | json }}
}
`,
  },
  {
    id: 'builtin_form_event',
    name: 'Form fields per event (event_name=…&value=…)',
    body: `event_name={{ event_name | url_encode }}&event_time={{ event_time }}&event_id={{ event_id | url_encode }}&value={{ value | url_encode }}&currency={{ currency | url_encode }}&email_sha256={{ em | hash256 | join: "," }}&source_url={{ event_source_url | url_encode }}`,
  },
];
