import { Resolver } from 'node:dns/promises';

// Data routing: an account's ingress domain must be a CNAME of the host's target domain. The
// lookup is a port so tests (and air-gapped installs) can replace it.

export type CnameLookup = (hostname: string) => Promise<string[]>;

export const DNS_TIMEOUT_MS = 2_000;

export function systemCnameLookup(timeoutMs = DNS_TIMEOUT_MS): CnameLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  return (hostname) => resolver.resolveCname(hostname);
}

/** How long a domain's answer is reused: a query naming it 300 times makes one lookup. */
export const CNAME_CACHE_MS = 10_000;
const MAX_CACHED = 10_000;

/**
 * The lookup with lookups in flight shared and answers kept per hostname for `ttlMs`. Failures are
 * kept only while in flight, so a CNAME just created shows as soon as the person asks again.
 */
export function cachedCnameLookup(lookup: CnameLookup, ttlMs = CNAME_CACHE_MS, now = Date.now): CnameLookup {
  const cache = new Map<string, { at: number; answer: Promise<string[]> }>();
  return (hostname) => {
    const key = hostname.toLowerCase();
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.answer;
    if (cache.size >= MAX_CACHED) cache.clear();
    const answer = lookup(key);
    const entry = { at: now(), answer };
    cache.set(key, entry);
    answer.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return answer;
  };
}

/** True only when a CNAME of `ingress` is `target`; any failure (NXDOMAIN, timeout) is false. */
export async function cnamePointsAt(lookup: CnameLookup, ingress: string, target: string): Promise<boolean> {
  const canon = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((_, reject) => {
    timer = setTimeout(() => reject(new Error('DNS timeout')), DNS_TIMEOUT_MS + 500);
  });
  try {
    const names = await Promise.race([lookup(ingress), timeout]);
    return names.some((n) => canon(n) === canon(target));
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
