import type { GatewayPixelSettings } from '../database/repos/gateway-pixel-settings-repo.js';

// The served tag is requested on every page view of every site, for Meta pixels as well as Signals
// Gateway pixels, so the settings it is rendered with are kept for a while: one database read per id
// per ttl, and a flood of made-up ids neither reaches the database once each within the ttl nor grows
// memory without bound. A changed setting reaches new tags within ttl (browsers and CDNs keep the
// tag itself for up to its max-age).

export type GatewayPixelSettingsLookup = (sourceId: string) => Promise<GatewayPixelSettings | null>;

const MAX_ENTRIES = 10_000;

export function cachedGatewayPixelSettings(
  load: GatewayPixelSettingsLookup,
  opts: { ttlMs: number; now?: () => number },
): GatewayPixelSettingsLookup {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<GatewayPixelSettings | null> }>();
  return (sourceId) => {
    const hit = cache.get(sourceId);
    if (hit && now() - hit.at < opts.ttlMs) return hit.value;
    const value = load(sourceId);
    // A failed load is not remembered: the next request tries the database again.
    value.catch(() => {
      if (cache.get(sourceId)?.value === value) cache.delete(sourceId);
    });
    cache.delete(sourceId);
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(sourceId, { at: now(), value });
    return value;
  };
}
