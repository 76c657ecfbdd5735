import { normalizeDomain } from '../../../database/repos/accounts-repo.js';
import { badInput } from '../../errors.js';

// Input checks shared by the pixel and filter operations; each error says what to send instead.

const NUMERIC_ID = /^\d{1,30}$/;
const API_VERSION = /^v\d{1,3}\.\d{1,3}$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function numericId(value: string, what: string): string {
  const v = value.trim();
  if (!NUMERIC_ID.test(v)) throw badInput(`${what} must be a numeric Meta id, e.g. 1234567890123456`);
  return v;
}

export function accessToken(value: string): string {
  const v = value.trim();
  if (v === '') throw badInput('accessToken is empty: send the system-user access token of the pixel');
  if (/\s/.test(v)) throw badInput('accessToken must not contain spaces or line breaks');
  return v;
}

/** null or '' means the gateway default. */
export function apiVersion(value: string | null | undefined): string | null {
  const v = value?.trim() ?? '';
  if (v === '') return null;
  if (!API_VERSION.test(v)) throw badInput(`apiVersion must look like v24.0 (got ${JSON.stringify(v)})`);
  return v;
}

export function eventName(value: string): string {
  if (value.trim() === '') throw badInput('eventName is empty: send the event name, e.g. AddToCart');
  if (value.length > 256) throw badInput('eventName is longer than 256 characters');
  return value;
}

/** A website as filters store it: lowercase host without scheme, path, port or "www.". */
export function domain(value: string): string {
  const d = normalizeDomain(value);
  if (!HOSTNAME.test(d)) throw badInput(`domain must be a website's host name, e.g. example.com (got ${value})`);
  return d;
}

/** MIXED is how a read reports disagreeing pixels; an update must say PUBLISH or DROP. */
export function filterState(value: string): 'PUBLISH' | 'DROP' {
  if (value === 'PUBLISH' || value === 'DROP') return value;
  throw badInput(`filterState ${value} cannot be set: send PUBLISH or DROP (MIXED is only reported by reads)`);
}
