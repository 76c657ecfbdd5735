import {
  type ConsentPolicy,
  type PrivacySettingsRecord,
  readPrivacySettings,
  writePrivacySettings,
} from '../../../../database/repos/privacy-settings-repo.js';
import type { ControlContext } from '../../../context.js';
import { badInput, notFound } from '../../../errors.js';
import { scopeOf, type TenantParent } from '../common.js';
import { changed } from './account-graph.js';

// tenantQueries { privacySettings } and tenantMutations { updatePrivacySettings(input) }
// (extension, docs/pipelines.md "Enrichment and consent"): event enrichment, the consent policy
// and the data processing options added to events that carry none. Options are Meta's: [] or
// ["LDU"]; with LDU, country 0 (Meta geolocates) or 1 (USA), state 0 or 1000 (California).

export async function privacySettings(parent: TenantParent, _args: unknown, ctx: ControlContext) {
  return readPrivacySettings(ctx.deps.db, scopeOf(ctx, parent.tenantId));
}

interface PrivacySettingsInput {
  eventEnrichment?: boolean | null;
  consentPolicy?: ConsentPolicy | null;
  consentRequired?: boolean | null;
  dataProcessingOptions?: string[] | null;
  dataProcessingOptionsCountry?: number | null;
  dataProcessingOptionsState?: number | null;
}

export async function updatePrivacySettings(
  parent: TenantParent,
  args: { input: PrivacySettingsInput },
  ctx: ControlContext,
) {
  const { tenantId } = parent;
  ctx.access.require(tenantId, 'manage');
  const scope = scopeOf(ctx, tenantId);
  const stored = await readPrivacySettings(ctx.deps.db, scope);
  if (!stored) throw notFound(`account ${tenantId} not found`);
  const next = merge(stored, args.input);
  const saved = await writePrivacySettings(ctx.deps.db, scope, next);
  // Every source of the account carries its privacy settings.
  await changed(ctx, tenantId, { all: true });
  ctx.deps.log.info(
    { tenantId, consentPolicy: next.consentPolicy, enrichment: next.eventEnrichment, dpo: next.dataProcessingOptions },
    'privacy settings updated',
  );
  return saved;
}

function merge(stored: PrivacySettingsRecord, input: PrivacySettingsInput): PrivacySettingsRecord {
  const next = { ...stored };
  if (input.eventEnrichment != null) next.eventEnrichment = input.eventEnrichment;
  if (input.consentPolicy != null) next.consentPolicy = input.consentPolicy;
  if (input.consentRequired != null) next.consentRequired = input.consentRequired;

  const options = input.dataProcessingOptions;
  if (options != null) {
    const set = [...new Set(options.map((o) => o.trim()))].filter((o) => o !== '');
    if (set.some((o) => o !== 'LDU')) {
      throw badInput('dataProcessingOptions must be ["LDU"] or [] (Meta knows only Limited Data Use)');
    }
    next.dataProcessingOptions = set.length === 0 ? null : set;
  }
  if (input.dataProcessingOptionsCountry != null)
    next.dataProcessingOptionsCountry = input.dataProcessingOptionsCountry;
  if (input.dataProcessingOptionsState != null) next.dataProcessingOptionsState = input.dataProcessingOptionsState;

  if (next.dataProcessingOptions === null) {
    // No options: country and state mean nothing and are cleared with them.
    next.dataProcessingOptionsCountry = null;
    next.dataProcessingOptionsState = null;
    return next;
  }
  const country = next.dataProcessingOptionsCountry ?? 0;
  const state = next.dataProcessingOptionsState ?? 0;
  if (country !== 0 && country !== 1) {
    throw badInput('dataProcessingOptionsCountry must be 0 (Meta geolocates) or 1 (United States)');
  }
  if (state !== 0 && state !== 1000) {
    throw badInput('dataProcessingOptionsState must be 0 (Meta geolocates) or 1000 (California)');
  }
  next.dataProcessingOptionsCountry = country;
  next.dataProcessingOptionsState = state;
  return next;
}
