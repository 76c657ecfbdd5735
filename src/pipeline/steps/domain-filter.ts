import { drop, ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

/** Lowercase host of a URL without "www.", or '' when there is none. */
export function domainOf(url: string | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).hostname
      .toLowerCase()
      .replace(/^www\./, '')
      .replace(/\.$/, '');
  } catch {
    return '';
  }
}

/** Blocking a website blocks its subdomains too: shop.example.com is blocked by example.com. */
export function isBlocked(domain: string, blocked: ReadonlySet<string>): boolean {
  if (domain === '' || blocked.size === 0) return false;
  for (let d = domain; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) {
    if (blocked.has(d)) return true;
  }
  return blocked.has(domain);
}

export const domainFilterStep: Step = (e) => {
  const domain = domainOf(e.event.event_source_url);
  return e.pixel && isBlocked(domain, e.pixel.blockedDomains)
    ? drop('domain_blocked', `website ${domain} is blocked`)
    : ok({ ...e, domain });
};
