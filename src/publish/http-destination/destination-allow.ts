import { BlockList, isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { filteringLookup, isPublicAddress } from '../../platform/public-address.js';

// Where custom HTTP destinations (and their OAuth token endpoints) may connect. An account admin
// chooses those URLs, so by default only public addresses are reachable: a destination must not
// become a way into the host's private network. The operator widens it with CAPIG_DESTINATION_ALLOW.
// The check is made when the connection is dialled, on the address actually dialled, so a name that
// resolves to a public address when saved and to a private one later (DNS rebinding) is refused.

/** CAPIG_DESTINATION_ALLOW, parsed. Plain data so it sits in the frozen configuration. */
export interface DestinationAllow {
  /** Any public address. */
  readonly publicAddresses: boolean;
  /** Networks, normalized as `address/bits`. */
  readonly cidrs: readonly string[];
  /** Lower-cased host names; `*.example.com` matches every name under example.com. */
  readonly hostNames: readonly string[];
}

export const DEFAULT_DESTINATION_ALLOW = 'public';

/** Reads the comma list; every bad entry is a problem, listed at once. */
export function parseDestinationAllow(raw: string): { allow: DestinationAllow; problems: string[] } {
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let publicAddresses = false;
  const cidrs: string[] = [];
  const hostNames: string[] = [];
  const bad: string[] = [];
  for (const entry of entries) {
    if (entry.toLowerCase() === 'public') {
      publicAddresses = true;
      continue;
    }
    const cidr = normalizeCidr(entry);
    if (cidr) cidrs.push(cidr);
    else if (isHostNamePattern(entry)) hostNames.push(entry.toLowerCase().replace(/\.$/, ''));
    else bad.push(entry);
  }
  const problems: string[] = [];
  if (bad.length > 0) {
    problems.push(
      `CAPIG_DESTINATION_ALLOW must be a comma list of public, IPv4/IPv6 addresses or CIDRs (10.0.0.0/8, fd00::/8) and host names (hooks.example.com, *.example.com) (bad: ${bad.join(', ')})`,
    );
  } else if (entries.length === 0) {
    problems.push('CAPIG_DESTINATION_ALLOW must name at least one of public, a CIDR or a host name');
  }
  return { allow: { publicAddresses, cidrs, hostNames }, problems };
}

function normalizeCidr(entry: string): string | null {
  const [address = '', bitsText, extra] = entry.split('/');
  if (extra !== undefined) return null;
  const family = isIP(address);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  if (bitsText === undefined) return `${address}/${max}`;
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  return bits <= max ? `${address}/${bits}` : null;
}

function isHostNamePattern(entry: string): boolean {
  const name = entry.replace(/^\*\./, '').replace(/\.$/, '');
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label)) && /[a-z-]/i.test(name);
}

/** The compiled policy: answers whether a name or an address may be dialled. */
export interface DestinationPolicy {
  hostNameAllowed(hostname: string): boolean;
  addressAllowed(address: string): boolean;
  /** What to tell the operator when `hostname` (dialled at `address`, if known) is refused. */
  refusal(hostname: string, address: string | null): string;
}

export function destinationPolicy(allow: DestinationAllow): DestinationPolicy {
  const networks = new BlockList();
  for (const cidr of allow.cidrs) {
    const [address = '', bits] = cidr.split('/');
    networks.addSubnet(address, Number(bits), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  const exact = new Set(allow.hostNames.filter((h) => !h.startsWith('*.')));
  const suffixes = allow.hostNames.filter((h) => h.startsWith('*.')).map((h) => h.slice(1));
  const describe = [allow.publicAddresses ? 'public addresses' : null, ...allow.cidrs, ...allow.hostNames].filter(
    Boolean,
  );
  return {
    hostNameAllowed(hostname) {
      const name = hostname.toLowerCase().replace(/\.$/, '');
      return exact.has(name) || suffixes.some((s) => name.endsWith(s));
    },
    addressAllowed(address) {
      const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(address);
      const ip = mapped?.[1] ?? address;
      const family = isIP(ip);
      if (family === 0) return false;
      if (allow.publicAddresses && isPublicAddress(ip)) return true;
      return networks.check(ip, family === 4 ? 'ipv4' : 'ipv6');
    },
    refusal(hostname, address) {
      const what = address && address !== hostname ? `${hostname} (${address})` : hostname;
      const hint = address && isIP(address) ? `${address}/${isIP(address) === 4 ? 32 : 128}` : 'its network';
      return `destination ${what} is not allowed: CAPIG_DESTINATION_ALLOW permits ${describe.join(', ') || 'nothing'}; to allow it, add ${hint} or the host name ${hostname} to CAPIG_DESTINATION_ALLOW`;
    },
  };
}

/** The error code of a refused connection, which the client turns into a held (not dead-lettered) failure. */
const NOT_ALLOWED_CODE = 'EDESTINATIONNOTALLOWED';

function refused(message: string): Error {
  return Object.assign(new Error(message), { code: NOT_ALLOWED_CODE });
}

export function isNotAllowedError(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === NOT_ALLOWED_CODE) return true;
  }
  return false;
}

/** dns.lookup that keeps only the addresses the policy allows (all of them for a listed name). */
function allowCheckingLookup(policy: DestinationPolicy): LookupFunction {
  return filteringLookup(
    (hostname, address) => policy.hostNameAllowed(hostname) || policy.addressAllowed(address),
    (hostname, address) => refused(policy.refusal(hostname, address)),
  );
}

/**
 * undici's connector with the check. Node does not call `lookup` for an address literal
 * (http://10.0.0.5/), so literals are checked here before dialling.
 */
export function allowCheckingConnector(policy: DestinationPolicy, timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ lookup: allowCheckingLookup(policy), timeout: timeoutMs });
  return (options, callback) => {
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0 && !policy.addressAllowed(host) && !policy.hostNameAllowed(host)) {
      callback(refused(policy.refusal(host, host)), null);
      return;
    }
    connect(options, callback);
  };
}
