// Which Host names are an active account's first-party domain, for the served tag. Answers are kept
// for a short while: the tag is fetched on every page view of every site, and a flood of made-up
// Host names must neither reach the database once each nor grow memory without bound.

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

export function createFirstPartyDomains(isActive: (domain: string) => Promise<boolean>, now = Date.now) {
  const known = new Map<string, { active: boolean; until: number }>();
  return async function isFirstPartyDomain(host: string): Promise<boolean> {
    const hit = known.get(host);
    if (hit && hit.until > now()) return hit.active;
    const active = await isActive(host);
    if (known.size >= MAX_ENTRIES) known.clear();
    known.set(host, { active, until: now() + TTL_MS });
    return active;
  };
}
