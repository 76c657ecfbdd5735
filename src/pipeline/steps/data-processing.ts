import { ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

// The account's data processing options (e.g. Limited Data Use for California) go on every event
// that does not carry its own: an event's own choice, even an empty list, is passed on as sent.
export const dataProcessingStep: Step = (e) => {
  const dpo = e.pixel?.privacy.dataProcessing;
  if (!dpo || e.event.data_processing_options !== undefined) return ok(e);
  const event = { ...e.event, data_processing_options: [...dpo.options] };
  if (dpo.options.length > 0) {
    event.data_processing_options_country = dpo.country;
    event.data_processing_options_state = dpo.state;
  }
  return ok({ ...e, event });
};
