import { CUSTOMER_INFORMATION_KEYS } from '../domain/customer-information.js';
import type { UserData } from '../domain/event.js';
import { normalizeUserData } from './steps/hash-user-data.js';

// What the gateway keeps of an event it did not publish (Live events, readable at view level):
// the event as sent, but with customer information hashed exactly as Meta would have received it,
// so no email, phone or name is ever stored in the clear, whatever step dropped the event.

/** A copy of a raw CAPI-shaped event whose user_data is hashed; keys that are not customer information are removed from it. */
export function redactRawEvent(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const event = raw as Record<string, unknown>;
  if (!('user_data' in event)) return event;
  const ud = event.user_data;
  if (ud === null || typeof ud !== 'object' || Array.isArray(ud)) {
    return { ...event, user_data: '[removed: not an object]' };
  }
  const hashed = normalizeUserData(ud as UserData);
  const kept: UserData = {};
  for (const [key, value] of Object.entries(hashed)) if (CUSTOMER_INFORMATION_KEYS.has(key)) kept[key] = value;
  return { ...event, user_data: kept };
}
