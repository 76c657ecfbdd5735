import { badInput } from '../../../errors.js';

// Input checks of the pipeline operations; each error says what to send instead.

const NAME_MAX = 256;
const EVENT_TYPES_MAX = 500;

/** A name as given, trimmed; blank means "the default" (null). */
export function optionalName(value: string | null | undefined, what = 'name'): string | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (v.length > NAME_MAX) throw badInput(`${what} is longer than ${NAME_MAX} characters`);
  return v;
}

/** An update's new name: left out keeps it, blank is refused. */
export function newName(value: string | null | undefined, what = 'name'): string | null {
  if (value === null || value === undefined) return null;
  const v = optionalName(value, what);
  if (v === null) throw badInput(`${what} is empty: leave it out to keep the current name`);
  return v;
}

/** A list of event names to block: trimmed, without blanks or repeats; null keeps the stored list. */
export function eventTypes(value: ReadonlyArray<string | null> | null | undefined, what: string): string[] | null {
  if (value === null || value === undefined) return null;
  if (value.length > EVENT_TYPES_MAX) throw badInput(`${what}: at most ${EVENT_TYPES_MAX} event names`);
  const out = new Set<string>();
  for (const name of value) {
    const v = name?.trim() ?? '';
    if (v === '') continue;
    if (v.length > 256) throw badInput(`${what}: an event name is longer than 256 characters`);
    out.add(v);
  }
  return [...out];
}

/** One of the values an enum allows here, or a 400 that lists them. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw badInput(`${what} ${value} is not supported here: use ${allowed.join(' or ')}`);
}
