import type { FastifyInstance } from 'fastify';
import type { GatewayPixelSettingsLookup } from '../gateway-pixel-settings.js';
import { renderPixelSdk } from '../pixel-sdk.js';

// GET /sdk/{pixelId}/events.js: our first-party tag, cacheable like Meta's CDN-served scripts.
// The endpoint it embeds never comes from a header a client controls: a Host that is an active
// account's first-party domain (so events stay first-party), else CAPIG_PUBLIC_URL, else none, and
// the tag then sends to the origin it was loaded from. So a shared cache keyed on Host holds only
// answers that are right for that Host. A Signals Gateway pixel's tag also carries its settings
// (updateGatewayPixelConfig); a Meta pixel's and an unknown id's carry none.

export interface PixelSdkOptions {
  publicUrl: string | null;
  /** Whether `host` (lower case, no port) is the first-party domain of an active account. */
  isFirstPartyDomain(host: string): Promise<boolean>;
  /** The settings of an ADVERTISER_HOSTED_PIXEL source; null for any other id. */
  gatewayPixelSettings: GatewayPixelSettingsLookup;
}

export function registerGetPixelSdk(app: FastifyInstance, opts: PixelSdkOptions): void {
  app.get<{ Params: { pixelId: string } }>('/sdk/:pixelId/events.js', async (req, reply) => {
    const { pixelId } = req.params;
    if (!/^\d{1,20}$/.test(pixelId)) {
      return reply.status(400).type('text/plain').send('// the pixel id must be numeric\n');
    }
    const host = hostName(req.headers.host);
    // Protocol-relative: the page's own scheme, not an X-Forwarded-Proto anyone could send.
    const [firstParty, settings] = await Promise.all([
      host ? opts.isFirstPartyDomain(host) : false,
      opts.gatewayPixelSettings(pixelId),
    ]);
    const endpoint = firstParty ? `//${host}` : (opts.publicUrl ?? '');
    return reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=1800')
      .header('vary', 'Host')
      .header('access-control-allow-origin', '*')
      .send(renderPixelSdk({ pixelId, endpoint, settings }));
  });
}

/** The Host header's name part, lower case, when it is a plausible DNS name; else null. */
function hostName(raw: string | undefined): string | null {
  if (!raw) return null;
  const name = raw.replace(/:\d+$/, '').toLowerCase();
  return /^[a-z0-9]([a-z0-9-]{0,62}\.)+[a-z0-9-]{1,63}$/.test(name) && name.length <= 253 ? name : null;
}
