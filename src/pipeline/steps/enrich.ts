import { randomUUID } from 'node:crypto';
import type { UserData } from '../../domain/event.js';
import { stripPort } from '../../domain/ip-address.js';
import { ok } from '../../domain/outcome.js';
import { fbcFromClickId, isValidFbc, isValidFbp } from '../fb-cookies.js';
import type { Step } from '../step.js';

// Browser events learn from their request what the pixel cannot send: the visitor's IP and user
// agent, and the first-party click and browser ids. Server events already carry what their sender
// knows; only a missing event_id is filled in, so Meta can deduplicate our own retries.
export const enrichStep: Step = (e) => {
  const event = { ...e.event, user_data: { ...e.event.user_data } as UserData };
  const ud = event.user_data;
  if (e.source === 'browser') {
    event.action_source = 'website';
    if (ud.client_ip_address === undefined && e.request.ip) ud.client_ip_address = e.request.ip;
    if (ud.client_user_agent === undefined && e.request.userAgent) ud.client_user_agent = e.request.userAgent;
    if (ud.fbp === undefined && e.request.fbp && isValidFbp(e.request.fbp)) ud.fbp = e.request.fbp;
    const cookieFbc =
      typeof ud.fbc === 'string' ? ud.fbc : e.request.fbc && isValidFbc(e.request.fbc) ? e.request.fbc : null;
    const fbc = fbcFromClickId(cookieFbc, event.event_source_url ?? null, e.request.receivedAt);
    if (fbc) ud.fbc = fbc;
  }
  if (typeof ud.client_ip_address === 'string') ud.client_ip_address = stripPort(ud.client_ip_address);
  if (!event.event_id) event.event_id = randomUUID();
  return ok({ ...e, event });
};
