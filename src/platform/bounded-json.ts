// JSON from clients, parsed with limits every handler relies on: nesting no deeper than
// MAX_JSON_DEPTH (measured on the text, before anything recursive touches it) and strings that are
// well-formed Unicode (a lone surrogate such as "\ud800" cannot be stored by PostgreSQL and breaks
// encodeURIComponent). Both are a client's mistake: a 400 that says what is wrong.

export const MAX_JSON_DEPTH = 32;

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

export function parseBoundedJson(text: string): JsonParse {
  const scan = scanText(text, MAX_JSON_DEPTH);
  if (scan.tooDeep) {
    return { ok: false, message: `the JSON is nested deeper than ${MAX_JSON_DEPTH} levels` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `the body is not valid JSON: ${(err as Error).message}` };
  }
  // Only a \uD800-\uDFFF escape can make a lone surrogate (UTF-8 decoding replaces bad bytes), so
  // the parsed value is walked only when the text holds one: ingest bodies almost never do.
  const bad = scan.surrogateEscape ? illFormedAt(value, '$') : null;
  if (bad) {
    return {
      ok: false,
      message: `strings must be well-formed Unicode: ${bad} holds a lone surrogate (such as \\ud800)`,
    };
  }
  return { ok: true, value };
}

/**
 * One pass over the text: whether brackets outside strings nest deeper than `max`, and whether a
 * string holds a surrogate escape (\uD800 to \uDFFF, paired or not).
 */
function scanText(text: string, max: number): { tooDeep: boolean; surrogateEscape: boolean } {
  let depth = 0;
  let inString = false;
  let surrogateEscape = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        // A backslash: skip the escaped character, noting \uD8.. to \uDF.. on the way.
        if (!surrogateEscape && text.charCodeAt(i + 1) === 0x75 && /^[dD][89a-fA-F]/.test(text.slice(i + 2, i + 4))) {
          surrogateEscape = true;
        }
        i++;
      } else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return { tooDeep: true, surrogateEscape };
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return { tooDeep: false, surrogateEscape };
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
