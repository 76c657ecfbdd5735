import { drop, ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

/** Event names whose publishing was switched off in Event activity are dropped here. */
export const eventFilterStep: Step = (e) =>
  e.pixel?.droppedEvents.has(e.event.event_name)
    ? drop('event_blocked', `publishing of ${e.event.event_name} is switched off`)
    : ok(e);
