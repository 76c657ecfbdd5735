import { ADVANCED_MATCHING_KEYS } from '../domain/customer-information.js';
import type { Signer } from '../platform/signer.js';

// The enrichment cookie (docs/pipelines.md): hashed advanced matching the gateway remembers for a
// browser, in a first-party cookie only the gateway reads (HttpOnly) and only the gateway can write
// (signed, so a page cannot plant values that are then sent to Meta as this visitor's).

export const ENRICHMENT_COOKIE = '_capig_am';
const MAX_AGE_SEC = 90 * 24 * 3600;
/** Hashed values only: 64 hex digits (external_id may be any short id the site hashed). */
const HASHED = /^[0-9a-f]{64}$/;

export interface EnrichmentCookie {
  /** The remembered values, or null when the cookie is absent, forged, expired or malformed. */
  read(value: string | undefined): Record<string, string> | null;
  /** The Set-Cookie header that remembers these values; `secure` when the request came over HTTPS. */
  write(values: Record<string, string>, secure: boolean): string;
}

export function createEnrichmentCookie(signer: Signer, now: () => number = Date.now): EnrichmentCookie {
  return {
    read(value) {
      if (!value) return null;
      const payload = signer.verify(value);
      if (!payload || typeof payload.exp !== 'number' || payload.exp * 1000 < now()) return null;
      const am = payload.am;
      if (!am || typeof am !== 'object' || Array.isArray(am)) return null;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(am as Record<string, unknown>)) {
        if (ADVANCED_MATCHING_KEYS.has(k) && typeof v === 'string' && HASHED.test(v)) out[k] = v;
      }
      return Object.keys(out).length > 0 ? out : null;
    },
    write(values, secure) {
      const am: Record<string, string> = {};
      for (const [k, v] of Object.entries(values)) {
        if (ADVANCED_MATCHING_KEYS.has(k) && HASHED.test(v)) am[k] = v;
      }
      const token = signer.sign({ am, exp: Math.floor(now() / 1000) + MAX_AGE_SEC });
      // The pixel posts from the site's pages to the gateway's (first-party) subdomain: same-site,
      // so Lax is sent along. Over HTTPS, None+Secure also covers a gateway on another site.
      const site = secure ? 'SameSite=None; Secure' : 'SameSite=Lax';
      return `${ENRICHMENT_COOKIE}=${token}; Max-Age=${MAX_AGE_SEC}; Path=/; HttpOnly; ${site}`;
    },
  };
}
