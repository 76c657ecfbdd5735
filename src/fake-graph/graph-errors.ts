// Graph API error envelopes (capi-contract.md section 5.1) and the default wording per code, so every
// path of the fake answers in the exact shape a client must classify on: code/subcode/is_transient.

import { randomBytes } from 'node:crypto';

/** The `error` object of a Graph error response, without `fbtrace_id` (added when sent). */
export interface GraphError {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  is_transient: boolean;
  error_user_title?: string;
  error_user_msg?: string;
}

/** A Graph error together with the HTTP status and extra headers it is answered with. */
export interface GraphFailure {
  status: number;
  error: GraphError;
  headers?: Record<string, string>;
}

/** Opaque trace id like Meta's (~23 chars, base64url). */
export function fbtraceId(): string {
  return randomBytes(18).toString('base64url').slice(0, 23);
}

/** Codes Meta uses for rate limiting; clients should back off on these (section 5.2). */
export function isThrottleCode(code: number): boolean {
  return code === 4 || code === 17 || code === 32 || code === 341 || code === 613 || (code >= 80000 && code <= 80014);
}

/** Codes that are transient by Graph's own account: unknown / service errors and throttling. */
export function isTransientCode(code: number): boolean {
  return code === 1 || code === 2 || isThrottleCode(code);
}

const DEFAULT_MESSAGES: Record<number, string> = {
  1: 'An unknown error occurred',
  2: 'An unexpected error has occurred. Please retry your request later.',
  3: '(#3) Application does not have the capability to make this API call.',
  4: '(#4) Application request limit reached',
  10: '(#10) Application does not have permission for this action',
  17: '(#17) User request limit reached',
  32: '(#32) Page request limit reached',
  100: 'Invalid parameter',
  104: 'An access token is required to request this resource.',
  190: 'Invalid OAuth access token - Cannot parse access token',
  200: '(#200) Permissions error',
  341: '(#341) Application limit reached',
  368: 'The action attempted has been deemed abusive or is otherwise disallowed',
  613: '(#613) Calls to this api have exceeded the rate limit.',
  2635: 'You are calling a deprecated version of the Ads API. Please update to the latest version.',
};

export function defaultMessage(code: number): string {
  const known = DEFAULT_MESSAGES[code];
  if (known) return known;
  if (code >= 80000 && code <= 80014) {
    return `(#${code}) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.`;
  }
  return `(#${code}) Fake Graph error`;
}

/** Builds a failure for an arbitrary code, with Meta-like defaults for status, message and headers. */
export function graphFailure(opts: {
  code: number;
  subcode?: number;
  status?: number;
  transient?: boolean;
  message?: string;
  type?: string;
  userTitle?: string;
  userMsg?: string;
  regainAccessMinutes?: number;
  objectId?: string;
}): GraphFailure {
  const { code } = opts;
  const error: GraphError = {
    message: opts.message ?? defaultMessage(code),
    type: opts.type ?? 'OAuthException',
    code,
    is_transient: opts.transient ?? isTransientCode(code),
  };
  if (opts.subcode !== undefined) error.error_subcode = opts.subcode;
  if (opts.userTitle !== undefined) error.error_user_title = opts.userTitle;
  if (opts.userMsg !== undefined) error.error_user_msg = opts.userMsg;
  const failure: GraphFailure = { status: opts.status ?? (code === 1 || code === 2 ? 500 : 400), error };
  if (isThrottleCode(code)) failure.headers = throttleHeaders(opts.objectId ?? '0', opts.regainAccessMinutes ?? 1);
  return failure;
}

/** The usage headers a throttled client reads its back-off from (section 5.2). */
export function throttleHeaders(objectId: string, regainAccessMinutes: number): Record<string, string> {
  const usage = { call_count: 100, total_cputime: 100, total_time: 100 };
  return {
    'x-business-use-case-usage': JSON.stringify({
      [objectId]: [{ type: 'ads_management', ...usage, estimated_time_to_regain_access: regainAccessMinutes }],
    }),
    'x-app-usage': JSON.stringify(usage),
  };
}

export function invalidParameter(detail: string, subcode?: number, title?: string): GraphFailure {
  return graphFailure({
    code: 100,
    subcode,
    message: detail ? `Invalid parameter: ${detail}` : 'Invalid parameter',
    userTitle: title,
    userMsg: detail || undefined,
  });
}

export function missingToken(): GraphFailure {
  return graphFailure({ code: 104, type: 'OAuthException' });
}

export function invalidToken(): GraphFailure {
  return graphFailure({
    code: 190,
    subcode: 463,
    message: 'Error validating access token: The session has been invalidated or the access token has expired.',
  });
}

export function deprecatedVersion(version: string): GraphFailure {
  return graphFailure({
    code: 2635,
    message: `You are calling a deprecated version of the Ads API (${version}). Please update to the latest version.`,
  });
}

/** Unknown object id, or a token without access to it (section 5.2, 100/33). */
export function unknownObject(id: string, method: 'get' | 'post'): GraphFailure {
  return graphFailure({
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    message: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
  });
}

export function unknownPath(path: string): GraphFailure {
  return graphFailure({ code: 100, message: `Unknown path components: ${path}` });
}
