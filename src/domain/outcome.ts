// Expected outcomes are data. A step either passes an event on or drops it with a reason.

export const DROP_REASONS = [
  'invalid',
  'pixel_unknown',
  'account_inactive',
  'receiving_disabled',
  'domain_blocked',
  'event_blocked',
  'duplicate',
  'publishing_disabled',
  'consent_denied',
  'pipeline_filtered',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/**
 * Events of a deactivated pixel or account are discarded, not received: as in Meta's product, a
 * switched-off pixel takes no events, so they count only as `dropped.<reason>` and stay out of the
 * received counts and the success rate.
 */
export const NOT_RECEIVED: ReadonlySet<DropReason> = new Set(['receiving_disabled', 'account_inactive']);

export type StepResult<T> = { ok: true; value: T } | { ok: false; reason: DropReason; detail?: string };

export const ok = <T>(value: T): StepResult<T> => ({ ok: true, value });
export const drop = <T>(reason: DropReason, detail?: string): StepResult<T> => ({ ok: false, reason, detail });
