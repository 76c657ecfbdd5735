// A pixel's settings as the data plane needs them, account-wide and pixel rules already merged.

export type FilterState = 'PUBLISH' | 'DROP';

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
}
