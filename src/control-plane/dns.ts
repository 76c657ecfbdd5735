import { Resolver } from 'node:dns/promises';

// Data routing: an account's ingress domain must be a CNAME of the host's target domain. The
// lookup is a port so tests (and air-gapped installs) can replace it.

export type CnameLookup = (hostname: string) => Promise<string[]>;

export const DNS_TIMEOUT_MS = 2_000;

export function systemCnameLookup(timeoutMs = DNS_TIMEOUT_MS): CnameLookup {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  return (hostname) => resolver.resolveCname(hostname);
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
