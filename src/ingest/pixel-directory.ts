import type { PixelSettings } from '../domain/pixel.js';
import { createTtlCache, type TtlCache } from '../platform/ttl-cache.js';

// Ingest looks a pixel up on every request; the directory keeps answers for a moment so the
// database sees one read per pixel per ttl, not one per event. Settings changed through the control
// plane on another instance take effect within ttl; on this instance, invalidate() is immediate.

export type PixelDirectory = TtlCache<PixelSettings>;

export function createPixelDirectory(
  load: (pixelId: string) => Promise<PixelSettings | null>,
  opts: { ttlMs: number; now?: () => number },
): PixelDirectory {
  return createTtlCache(load, opts);
}
