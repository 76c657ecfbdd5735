// Meta's vocabulary for customer information (user_data), capi-contract.md section 3.1. The
// gateway's hashing step and the fake Graph API's validation both speak it, so it lives once here.

/** Keys Meta requires as SHA-256 of the normalized value. */
export const META_HASHED_KEYS = ['em', 'ph', 'fn', 'ln', 'ge', 'db', 'ct', 'st', 'zp', 'country'] as const;

/** What the pixel's advanced matching can carry: the hashed keys and external_id. */
export const ADVANCED_MATCHING_KEYS: ReadonlySet<string> = new Set([...META_HASHED_KEYS, 'external_id']);

/** Keys the SDKs hash too: external_id (hashed on both sides or neither) and name/birth-date parts. */
export const SDK_HASHED_KEYS = ['external_id', 'f5first', 'f5last', 'fi', 'dobd', 'dobm', 'doby'] as const;

/** Keys Meta wants in the clear. */
export const NEVER_HASHED_KEYS: ReadonlySet<string> = new Set([
  'client_ip_address',
  'client_user_agent',
  'fbc',
  'fbp',
  'subscription_id',
  'fb_login_id',
  'lead_id',
  'anon_id',
  'madid',
  'page_id',
  'page_scoped_user_id',
  'ctwa_clid',
  'ig_account_id',
  'ig_sid',
  'whatsapp_business_account_id',
]);

/** Every key that counts as customer information. */
export const CUSTOMER_INFORMATION_KEYS: ReadonlySet<string> = new Set([
  ...META_HASHED_KEYS,
  ...SDK_HASHED_KEYS,
  ...NEVER_HASHED_KEYS,
  'app_user_id',
]);
