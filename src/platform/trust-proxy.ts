import proxyAddr from '@fastify/proxy-addr';
import { stripPort } from '../domain/ip-address.js';

// Which hops of X-Forwarded-For to believe (CAPIG_TRUST_PROXY). Fastify 5 ignores a hop count on
// purpose (it trusts nothing then), so the gateway compiles the setting into a function itself:
// hop 0 is the socket's peer, hop 1 the last address a proxy appended, and so on; the client is the
// first address, from the socket inward, that is not trusted.

export type TrustProxySetting = boolean | number | readonly string[];

/** A trust function for Fastify's `trustProxy`, or false to read only the socket's address. */
export function trustFunction(setting: TrustProxySetting): false | ((addr: string, hop: number) => boolean) {
  if (setting === false || setting === 0) return false;
  if (setting === true) return () => true;
  if (typeof setting === 'number') {
    const hops = setting;
    // With n proxies in front, hops 0 to n-1 are proxies (Express's meaning of a hop count).
    return (_addr, hop) => hop < hops;
  }
  if (setting.length === 0) return false;
  const trusted = proxyAddr.compile([...setting]);
  // Some proxies write "address:port"; the port does not change whom the address belongs to.
  return (addr, hop) => trusted(stripPort(addr), hop);
}
