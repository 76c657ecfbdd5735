import type { SourceRecord } from '../../../../database/repos/data-sources-repo.js';

// A Signals Gateway pixel's settings (data_sources.pixel_config) as Meta's GatewayPixelConfig:
// the switches Meta folds into `plugins`, plus the switches themselves (our extension).

export interface StoredPixelConfig {
  enabledStatus?: boolean;
  enableAam?: boolean;
  enableFirstPartyCookie?: boolean;
  aamFields?: string[];
  enableAutomaticForkMetaPixelEvent?: boolean;
  enableContactDataHash?: boolean;
  customIntegrityScript?: string | null;
}

export function gatewayPixelConfigView(s: Pick<SourceRecord, 'id' | 'name' | 'pixelConfig'>) {
  const c = s.pixelConfig as StoredPixelConfig;
  const plugins: string[] = [];
  // The tag writes its first-party cookies unless told not to (as it always did): on when unset.
  const firstPartyCookie = c.enableFirstPartyCookie ?? true;
  if (firstPartyCookie) plugins.push('FIRST_PARTY_COOKIE');
  if (c.enableAam) plugins.push('AUTOMATIC_ADVANCED_MATCHING');
  return {
    id: s.id,
    name: s.name,
    enabledStatus: c.enabledStatus ?? true,
    plugins,
    aamFields: c.aamFields ?? [],
    enableContactDataHash: c.enableContactDataHash ?? false,
    customIntegrityScript: c.customIntegrityScript ?? null,
    estRuleGroups: [],
    iwlParameters: [],
    creationSourcePlatform: 'SIGNALS_GATEWAY',
    creationSourceId: null,
    enableAam: c.enableAam ?? false,
    enableFirstPartyCookie: firstPartyCookie,
    enableAutomaticForkMetaPixelEvent: c.enableAutomaticForkMetaPixelEvent ?? false,
  };
}
