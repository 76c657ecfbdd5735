// What ingest needs to know about the id an event names (a Meta pixel of a pixel connection, or a
// Signals Gateway source), account-wide and pixel rules already merged.

export type FilterState = 'PUBLISH' | 'DROP';

/** One lane an event of this source may be delivered in (a destination of an active pipeline). */
export interface Route {
  /** The queue's lane: the pixel id for a pixel connection's destination, else the destination id. */
  lane: string;
  /** Event names this route does not take: the pipeline's filter and the destination's, merged. */
  blockedEvents: ReadonlySet<string>;
}

/** What the account decided about consent, data processing options and enrichment. */
export interface AccountPrivacy {
  /** Keep hashed advanced matching in a first-party cookie and add it to later events (off by default). */
  enrichment: boolean;
  /** What happens to an event whose consent is denied: sent as is, dropped, or sent limited. */
  consentPolicy: 'IGNORE' | 'DROP' | 'LIMIT';
  /** An event with no consent signal counts as denied. */
  consentRequired: boolean;
  /** data_processing_options added to events that carry none; null: none. */
  dataProcessing: { options: string[]; country: number; state: number } | null;
}

export const DEFAULT_PRIVACY: AccountPrivacy = {
  enrichment: false,
  consentPolicy: 'DROP',
  consentRequired: false,
  dataProcessing: null,
};

export interface PixelSettings {
  pixelId: string;
  tenantId: string;
  tenantActive: boolean;
  receiving: boolean;
  publishing: boolean;
  /** Event names whose publishing is switched off (event filter DROP). */
  droppedEvents: ReadonlySet<string>;
  /** Website domains that are blocked (domain filter DROP), lowercase, without "www.". */
  blockedDomains: ReadonlySet<string>;
  /** The key server events must present; null when the pixel has none. */
  accessKey: string;
  /** Where its events go. A pixel connection has one route, its own lane. */
  routes: readonly Route[];
  privacy: AccountPrivacy;
}
