import { ADVANCED_MATCHING_KEYS } from '../../domain/customer-information.js';
import { ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

// Event enrichment (the account's eventEnrichment, off by default): a browser event that carries
// advanced matching has it remembered, hashed, in a first-party cookie the gateway sets; a later
// event of the same browser that carries none gets the cookie's values. So a visitor identified
// once (a login, a checkout form) is matched on their later events too.

/** Before hashing: a browser event without advanced matching takes the remembered, hashed values. */
export const addRememberedMatchingStep: Step = (e) => {
  const remembered = e.request.rememberedMatching;
  if (!e.pixel?.privacy.enrichment || e.source !== 'browser' || !remembered || e.consent === 'denied') return ok(e);
  const ud = e.event.user_data;
  if (Object.keys(ud).some((k) => ADVANCED_MATCHING_KEYS.has(k))) return ok(e);
  return ok({ ...e, event: { ...e.event, user_data: { ...ud, ...remembered } } });
};

/** After hashing: what the cookie should hold, when this event brought advanced matching of its own. */
export const rememberMatchingStep: Step = (e) => {
  if (!e.pixel?.privacy.enrichment || e.source !== 'browser' || e.consent === 'denied') return ok(e);
  const remember: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.event.user_data)) {
    if (ADVANCED_MATCHING_KEYS.has(k) && typeof v === 'string') remember[k] = v;
  }
  if (Object.keys(remember).length === 0) return ok(e);
  const known = e.request.rememberedMatching;
  const same = known && Object.keys(remember).every((k) => known[k] === remember[k]);
  return same ? ok(e) : ok({ ...e, remember: { ...known, ...remember } });
};
