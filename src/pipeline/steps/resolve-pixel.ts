import { drop, ok } from '../../domain/outcome.js';
import type { Step } from '../step.js';

/** Events for a pixel no account connected, or for a deactivated account, go no further. */
export const resolvePixelStep: Step = (e) => {
  if (e.pixel === null) return drop('pixel_unknown', `pixel ${e.pixelId} is not connected to this gateway`);
  if (!e.pixel.tenantActive) return drop('account_inactive', `the account of pixel ${e.pixelId} is deactivated`);
  return ok(e);
};
