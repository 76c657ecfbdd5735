// JSON from clients, parsed with limits every handler relies on: nesting no deeper than
// MAX_JSON_DEPTH (measured on the text, before anything recursive touches it) and strings that are
// well-formed Unicode (a lone surrogate such as "\ud800" cannot be stored by PostgreSQL and breaks
// encodeURIComponent). Both are a client's mistake: a 400 that says what is wrong.

export const MAX_JSON_DEPTH = 32;

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

export function parseBoundedJson(text: string): JsonParse {
  if (nestingExceeds(text, MAX_JSON_DEPTH)) {
    return { ok: false, message: `the JSON is nested deeper than ${MAX_JSON_DEPTH} levels` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `the body is not valid JSON: ${(err as Error).message}` };
  }
  const bad = illFormedAt(value, '$');
  if (bad) {
    return {
      ok: false,
      message: `strings must be well-formed Unicode: ${bad} holds a lone surrogate (such as \\ud800)`,
    };
  }
  return { ok: true, value };
}

/** Whether brackets outside strings nest deeper than `max`. */
export function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The path of the first key or string that is not well-formed Unicode, or null. Depth is bounded by the caller. */
function illFormedAt(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.isWellFormed() ? null : path;
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = illFormedAt(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!k.isWellFormed()) return `a key of ${path}`;
    const bad = illFormedAt(v, `${path}.${k}`);
    if (bad) return bad;
  }
  return null;
}
