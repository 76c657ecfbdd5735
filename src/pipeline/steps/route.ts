import { drop, ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

// The lanes this event is delivered in: every route of its source (an active pipeline's active
// destination) whose filters do not block the event's name. None left: dropped, with why.
export const routeStep: Step = (e) => {
  const routes = e.pixel?.routes ?? [];
  if (routes.length === 0) {
    return drop('pipeline_filtered', `no active pipeline with an active destination takes events of ${e.pixelId}`);
  }
  const lanes = [...new Set(routes.filter((r) => !r.blockedEvents.has(e.event.event_name)).map((r) => r.lane))];
  if (lanes.length === 0) {
    return drop('pipeline_filtered', `${e.event.event_name} is blocked by the filters of every destination`);
  }
  return ok({ ...e, lanes });
};
