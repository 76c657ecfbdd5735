import type { UserData } from '../../domain/event.js';
import { drop, ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

// The page's consent signal (our tag's `consent` call, or a `consent` field of a server event) meets
// the account's policy: IGNORE sends the event as it is; DROP drops a denied event; LIMIT sends it
// for measurement only: no customer information but the IP and user agent Meta needs to place it,
// and Limited Data Use. With consentRequired, an event that says nothing counts as denied.

/** What a limited event keeps of user_data. */
const KEPT_WHEN_LIMITED = ['client_ip_address', 'client_user_agent'] as const;

export const consentStep: Step = (e) => {
  const privacy = e.pixel?.privacy;
  if (!privacy || privacy.consentPolicy === 'IGNORE') return ok(e);
  const denied = e.consent === 'denied' || (e.consent === null && privacy.consentRequired);
  if (!denied) return ok(e);
  if (privacy.consentPolicy === 'DROP') {
    return drop('consent_denied', e.consent === null ? 'no consent signal and the account requires one' : undefined);
  }
  const userData: UserData = {};
  for (const k of KEPT_WHEN_LIMITED) {
    if (e.event.user_data[k] !== undefined) userData[k] = e.event.user_data[k];
  }
  const dpo = privacy.dataProcessing;
  return ok({
    ...e,
    consentLimited: true,
    event: {
      ...e.event,
      user_data: userData,
      data_processing_options: ['LDU'],
      data_processing_options_country: dpo?.options.includes('LDU') ? dpo.country : 0,
      data_processing_options_state: dpo?.options.includes('LDU') ? dpo.state : 0,
    },
  });
};
