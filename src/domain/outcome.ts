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
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export type StepResult<T> = { ok: true; value: T } | { ok: false; reason: DropReason; detail?: string };

export const ok = <T>(value: T): StepResult<T> => ({ ok: true, value });
export const drop = <T>(reason: DropReason, detail?: string): StepResult<T> => ({ ok: false, reason, detail });
