import type { GatewayPixelSettings } from '../database/repos/gateway-pixel-settings-repo.js';
import { createTtlCache } from '../platform/ttl-cache.js';

// The served tag is requested on every page view of every site, for Meta pixels as well as Signals
// Gateway pixels, so the settings it is rendered with are kept for a while: one database read per id
// per ttl (platform/ttl-cache.ts). A changed setting reaches new tags within ttl (browsers and CDNs keep the
// tag itself for up to its max-age).

export type GatewayPixelSettingsLookup = (sourceId: string) => Promise<GatewayPixelSettings | null>;

export function cachedGatewayPixelSettings(
  load: GatewayPixelSettingsLookup,
  opts: { ttlMs: number; now?: () => number },
): GatewayPixelSettingsLookup {
  const cache = createTtlCache(load, opts);
  return (sourceId) => cache.get(sourceId);
}
