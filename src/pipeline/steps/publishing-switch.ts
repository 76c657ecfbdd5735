import { ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

/** Publishing off: the event is received and counted as not published, but never sent. */
export const publishingSwitchStep: Step = (e) =>
  e.pixel?.publishing === false ? ok({ ...e, publish: false, notPublishedReason: 'publishing_disabled' }) : ok(e);
