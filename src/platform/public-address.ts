import { lookup } from 'node:dns';
import { lookup as lookupAll } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// Where the gateway may send requests that someone else chose the address of (alert webhooks):
// public addresses only, so an account's admin cannot make the gateway call services on the
// host's private network. The check is made at connect time, on the address actually dialled.

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

export function isPublicAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(ip);
  const v = mapped?.[1] ?? ip;
  const family = isIP(v);
  if (family === 0) return false;
  return !PRIVATE.check(v, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * dns.lookup that keeps only the addresses `keep` accepts, for a connection's `lookup`, so the check
 * is made on the address actually dialled; none left fails with `refuse`'s error.
 */
export function filteringLookup(
  keep: (hostname: string, address: string) => boolean,
  refuse: (hostname: string, firstAddress: string | null) => Error,
): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as Array<{ address: string; family: number }>;
      const ok = list.filter((a) => keep(hostname, a.address));
      const first = ok[0];
      if (!first) return callback(refuse(hostname, list[0]?.address ?? null), '', 0);
      if ((options as { all?: boolean }).all) return (callback as (e: null, a: typeof ok) => void)(null, ok);
      callback(null, first.address, first.family);
    });
  };
}

/** dns.lookup that refuses non-public addresses (unless allowed), for a connection's `lookup`. */
export function publicOnlyLookup(allowPrivate: boolean): LookupFunction {
  return filteringLookup(
    (_hostname, address) => allowPrivate || isPublicAddress(address),
    (hostname) => Object.assign(new Error(`${hostname} resolves only to private addresses`), { code: 'ENOTPUBLIC' }),
  );
}

/** Whether a name resolves to a public address: what publicOnlyLookup would dial. Throws if it does not resolve. */
export async function resolvesToPublicAddress(hostname: string): Promise<boolean> {
  const addresses = await lookupAll(hostname, { all: true });
  return addresses.some((a) => isPublicAddress(a.address));
}
