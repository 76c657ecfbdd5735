import type { PixelSettings } from '../domain/pixel.js';

// Ingest looks a pixel up on every request; the directory keeps answers for a moment so the
// database sees one read per pixel per ttl, not one per event. Settings changed through the control
// plane on another instance take effect within ttl; on this instance, invalidate() is immediate.

export interface PixelDirectory {
  get(pixelId: string): Promise<PixelSettings | null>;
  invalidate(pixelId?: string): void;
}

const MAX_ENTRIES = 10_000;

export function createPixelDirectory(
  load: (pixelId: string) => Promise<PixelSettings | null>,
  opts: { ttlMs: number; now?: () => number },
): PixelDirectory {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<PixelSettings | null> }>();
  return {
    get(pixelId) {
      const hit = cache.get(pixelId);
      if (hit && now() - hit.at < opts.ttlMs) return hit.value;
      const value = load(pixelId);
      // A failed load is not remembered: the next request tries the database again.
      value.catch(() => cache.delete(pixelId));
      cache.delete(pixelId);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(pixelId, { at: now(), value });
      return value;
    },
    invalidate(pixelId) {
      if (pixelId === undefined) cache.clear();
      else cache.delete(pixelId);
    },
  };
}
