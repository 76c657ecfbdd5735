import { isIP } from 'node:net';

/** "1.2.3.4:5678" -> "1.2.3.4", "[2001:db8::1]:443" -> "2001:db8::1", "::ffff:1.2.3.4" -> "1.2.3.4". */
export function stripPort(ip: string): string {
  let v = ip.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed?.[1]) v = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
  if (/^::ffff:\d{1,3}(\.\d{1,3}){3}$/i.test(v)) v = v.slice(7);
  return v;
}

/** The address without port or brackets, or null when it is not an IPv4 or IPv6 address. */
export function ipAddress(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const v = stripPort(raw);
  return isIP(v) ? v : null;
}
