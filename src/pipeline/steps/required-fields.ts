import type { ActionSource } from '../../domain/event.js';
import { drop, ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';
import { requiredFor } from './validate-event.js';

/** Browser events are checked against Meta's website requirements once enrichment filled them in. */
export const requiredFieldsStep: Step = (e) => {
  if (e.source !== 'browser') return ok(e);
  const missing = requiredFor(e.event, e.event.action_source as ActionSource);
  return missing.length > 0 ? drop('invalid', missing.join('; ')) : ok(e);
};
