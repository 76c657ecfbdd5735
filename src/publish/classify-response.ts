import type { CapiResponse } from './capi-client.js';

// What a failed answer means for the events in it (capi-contract.md section 5.2). Decided on Meta's
// error code, not the HTTP status, which Meta uses loosely.
export type FailureClass =
  /** Try again soon: Meta or the network hiccuped. */
  | 'transient'
  /** Try again later: a rate limit. */
  | 'throttled'
  /** The token is invalid or expired: hold the pixel's events until a new token arrives. */
  | 'bad_token'
  /** The pixel or its configuration is wrong (missing permission, deprecated version): hold and retry slowly. */
  | 'pixel_config'
  /** Something in the batch is invalid: find the offending events, dead-letter them, deliver the rest. */
  | 'invalid_events';

const THROTTLE_CODES = new Set([4, 17, 32, 341, 368, 613]);
const TOKEN_CODES = new Set([102, 104, 190]);

export function classifyFailure(res: Extract<CapiResponse, { ok: false }>): FailureClass {
  const code = res.error?.code;
  if (code === undefined) {
    if (res.status === null || res.status >= 500) return 'transient';
    if (res.status === 429) return 'throttled';
    if (res.status === 413) return 'invalid_events';
    return 'pixel_config';
  }
  if (res.error?.is_transient === true || code === 1 || code === 2) return 'transient';
  if (THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80014)) return 'throttled';
  if (TOKEN_CODES.has(code)) return 'bad_token';
  if (code === 100 && res.error?.error_subcode === 33) return 'pixel_config';
  if (code === 100) return 'invalid_events';
  if (res.status !== null && res.status >= 500) return 'transient';
  return 'pixel_config';
}
