// Answers kept for a while per key, so a lookup made on every request reaches its source once per
// key per ttl. Bounded: beyond MAX_ENTRIES the oldest key goes, so a flood of made-up keys cannot
// grow memory. A failed load is not remembered: the next call tries again.

export interface TtlCache<T> {
  get(key: string): Promise<T | null>;
  /** Forgets one key at once, or every key. */
  invalidate(key?: string): void;
}

const MAX_ENTRIES = 10_000;

export function createTtlCache<T>(
  load: (key: string) => Promise<T | null>,
  opts: { ttlMs: number; now?: () => number },
): TtlCache<T> {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<T | null> }>();
  return {
    get(key) {
      const hit = cache.get(key);
      if (hit && now() - hit.at < opts.ttlMs) return hit.value;
      const value = load(key);
      value.catch(() => {
        if (cache.get(key)?.value === value) cache.delete(key);
      });
      cache.delete(key);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(key, { at: now(), value });
      return value;
    },
    invalidate(key) {
      if (key === undefined) cache.clear();
      else cache.delete(key);
    },
  };
}
