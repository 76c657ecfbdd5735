import { drop, ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

/** A deactivated pixel (Meta: "Deactivate pixel") receives nothing. */
export const receivingSwitchStep: Step = (e) =>
  e.pixel?.receiving === false ? drop('receiving_disabled', `pixel ${e.pixelId} is deactivated`) : ok(e);
